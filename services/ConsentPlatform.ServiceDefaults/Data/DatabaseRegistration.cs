using ConsentPlatform.ServiceDefaults.Identity;
using ConsentPlatform.ServiceDefaults.Messaging;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ConsentPlatform.ServiceDefaults.Data;

public static class DatabaseRegistration
{
    /// <summary>
    /// Registers a service's database: the connection factory, its migrations (applied at
    /// start-up), its outbox relay and its readiness check.
    /// </summary>
    public static IServiceCollection AddServiceDatabase<TDatabase>(this IServiceCollection services)
        where TDatabase : ServiceDatabase
    {
        services.AddSingleton<TDatabase>();
        services.AddSingleton<ServiceDatabase>(sp => sp.GetRequiredService<TDatabase>());
        services.AddHostedService<OutboxRelay<TDatabase>>();
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"database-{typeof(TDatabase).Name}", sp => new DatabaseHealthCheck(sp.GetRequiredService<TDatabase>()), HealthStatus.Unhealthy, ["ready"]));
        return services;
    }

    private sealed class DatabaseHealthCheck(ServiceDatabase database) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var connection = await database.OpenAsync(cancellationToken);
                await connection.ExecuteScalarAsync<int>("SELECT 1");
                return HealthCheckResult.Healthy();
            }
            catch (Exception e)
            {
                return HealthCheckResult.Unhealthy($"{database.Name} database unavailable", e);
            }
        }
    }
}

/// <summary>
/// Runs before the bus and the relays (it is registered first): checks every service's settings, then
/// applies the platform's and each service's scripts. Any failure stops start-up with a message
/// that names the setting.
/// </summary>
internal sealed class StartupPreparation(IServiceProvider services, PlatformOptions options, IEnumerable<ICheckedSettings> settings, ILogger<StartupPreparation> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (SqlDialect.For(options.DatabaseProvider).UsesDataFolder)
        {
            try
            {
                Directory.CreateDirectory(options.DataFolder);
                var probe = Path.Combine(options.DataFolder, $".write-probe-{Guid.NewGuid():N}");
                await File.WriteAllTextAsync(probe, "", cancellationToken);
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                errors.Add($"Database:DataFolder '{Path.GetFullPath(options.DataFolder)}' is not writable ({e.Message}).");
            }
        }
        errors.AddRange(settings.SelectMany(s => s.Errors));
        if (errors.Count > 0)
            throw new PlatformStartupException(string.Join(Environment.NewLine, errors));

        var identity = services.GetRequiredService<IdentityDatabase>();
        await MigrateAsync(identity, [("Migrations.Identity", typeof(IdentityDatabase).Assembly, "identity")], cancellationToken);
        foreach (var database in services.GetServices<ServiceDatabase>())
        {
            await MigrateAsync(database,
                [("Migrations", typeof(ServiceDatabase).Assembly, "platform"), ("Migrations", database.MigrationsAssembly, database.Name)],
                cancellationToken);
        }
    }

    private async Task MigrateAsync(ServiceDatabase database, (string Folder, System.Reflection.Assembly Assembly, string Prefix)[] sources, CancellationToken cancellationToken)
    {
        try
        {
            var scripts = sources.SelectMany(s => Migrator.FindScripts(s.Assembly, s.Folder, database.Dialect, s.Prefix)).ToList();
            await Migrator.ApplyAsync(database.Name, database.OpenAsync, database.Dialect, scripts, logger, cancellationToken);
        }
        catch (Exception e) when (e is not PlatformStartupException and not OperationCanceledException)
        {
            throw Migrator.Explain(e, database.Name, options);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
