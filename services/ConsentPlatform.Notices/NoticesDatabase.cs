using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Notices;

public sealed class NoticesDatabase(PlatformOptions options, TimeProvider? time = null) : ServiceDatabase("notices", options, time);
