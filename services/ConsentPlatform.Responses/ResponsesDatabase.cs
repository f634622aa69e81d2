using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Responses;

public sealed class ResponsesDatabase(PlatformOptions options, TimeProvider? time = null) : ServiceDatabase("responses", options, time);
