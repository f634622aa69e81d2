namespace ConsentPlatform.ServiceDefaults;

/// <summary>A start-up problem with a message written for the operator: it names the setting to fix.</summary>
public sealed class PlatformStartupException(string message, Exception? inner = null) : Exception(message, inner);
