using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Notices;

public sealed class NoticesDatabase(PlatformOptions options) : ServiceDatabase("notices", options);
