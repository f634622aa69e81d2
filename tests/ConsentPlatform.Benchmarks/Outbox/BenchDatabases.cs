using ConsentPlatform.ServiceDefaults;
using ConsentPlatform.ServiceDefaults.Data;

namespace ConsentPlatform.Benchmarks.Outbox;

/// <summary>The producing service's database: business writes and its outbox (benchoutbox.db).</summary>
public sealed class BenchOutboxDatabase(PlatformOptions options) : ServiceDatabase("benchoutbox", options);

/// <summary>The consuming service's own database: its inbox and the consumer's effect (benchinbox.db).</summary>
public sealed class BenchInboxDatabase(PlatformOptions options) : ServiceDatabase("benchinbox", options);
