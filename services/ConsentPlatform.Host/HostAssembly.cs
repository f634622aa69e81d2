namespace ConsentPlatform.Host;

/// <summary>Names this assembly for WebApplicationFactory; every service assembly also has a Program class.</summary>
public sealed class HostAssembly;
