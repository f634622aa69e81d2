using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Consent;

public sealed class ConsentDatabase(PlatformOptions options, TimeProvider? time = null) : ServiceDatabase("consent", options, time);
