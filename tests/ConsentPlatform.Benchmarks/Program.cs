using BenchmarkDotNet.Running;

// Run with: dotnet run -c Release --project tests/ConsentPlatform.Benchmarks -- --filter '*'
if (args is ["outbox", ..]) { Environment.ExitCode = await ConsentPlatform.Benchmarks.Outbox.OutboxBenchmark.RunAsync(args[1..]); return; } // harness, see Outbox/README.md
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
