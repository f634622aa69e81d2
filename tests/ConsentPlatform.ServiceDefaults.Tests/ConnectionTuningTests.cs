using ConsentPlatform.ServiceDefaults.Data;
using Npgsql;

namespace ConsentPlatform.ServiceDefaults.Tests;

/// <summary>The connection string a service opens PostgreSQL with prepares repeated statements, unless the operator said otherwise.</summary>
public sealed class ConnectionTuningTests
{
    private const string Given = "Host=db.internal;Port=5432;Username=consent;Database=cp_consent";

    [Fact]
    public void A_postgresql_connection_string_without_a_preparation_setting_gets_automatic_preparation()
    {
        var tuned = new NpgsqlConnectionStringBuilder(SqlDialect.PostgreSql.Tune(Given));
        Assert.Equal(64, tuned.MaxAutoPrepare);
        Assert.Equal(2, tuned.AutoPrepareMinUsages);
        Assert.Equal("db.internal", tuned.Host);
        Assert.Equal("cp_consent", tuned.Database);
    }

    [Theory]
    [InlineData(";Max Auto Prepare=0", 0)]
    [InlineData(";MaxAutoPrepare=10", 10)]
    public void An_operators_own_preparation_setting_is_kept(string setting, int expected)
    {
        Assert.Equal(Given + setting, SqlDialect.PostgreSql.Tune(Given + setting));
        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(SqlDialect.PostgreSql.Tune(Given + setting)).MaxAutoPrepare);
    }

    [Fact]
    public void Other_providers_connection_strings_are_left_as_given()
    {
        const string sqlite = "Data Source=/data/consent.db;Cache=Private;Pooling=True";
        Assert.Equal(sqlite, SqlDialect.Sqlite.Tune(sqlite));
    }
}
