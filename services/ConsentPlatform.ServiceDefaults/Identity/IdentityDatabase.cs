using System.Reflection;
using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.ServiceDefaults.Identity;

/// <summary>
/// Organizations and API keys. Every service reads it (keys are accepted everywhere, and a
/// revocation must reach every service within seconds), only the host's commands write it.
/// See docs/decisions/0003-credentials-store.md.
/// </summary>
public sealed class IdentityDatabase(PlatformOptions options, TimeProvider? time = null) : ServiceDatabase("identity", options, time)
{
    public override Assembly MigrationsAssembly => typeof(IdentityDatabase).Assembly;
}
