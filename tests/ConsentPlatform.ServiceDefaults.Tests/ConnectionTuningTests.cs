using ConsentPlatform.ServiceDefaults.Data;
using Npgsql;

namespace ConsentPlatform.ServiceDefaults.Tests;

/// <summary>
/// The connection string a service opens PostgreSQL with prepares repeated statements and skips the reset of a
/// returned pooled connection, unless the operator said otherwise.
/// </summary>
public sealed class ConnectionTuningTests
{
    private const string Given = "Host=db.internal;Port=5432;Username=consent;Database=cp_consent";

    [Fact]
    public void A_postgresql_connection_string_without_a_preparation_setting_gets_automatic_preparation()
    {
        var tuned = new NpgsqlConnectionStringBuilder(SqlDialect.PostgreSql.Tune(Given));
        Assert.Equal(64, tuned.MaxAutoPrepare);
        Assert.Equal(2, tuned.AutoPrepareMinUsages);
        Assert.True(tuned.NoResetOnClose);
        Assert.Equal("db.internal", tuned.Host);
        Assert.Equal("cp_consent", tuned.Database);
    }

    [Theory]
    [InlineData(";Max Auto Prepare=0", 0)]
    [InlineData(";MaxAutoPrepare=10", 10)]
    public void An_operators_own_preparation_setting_is_kept(string setting, int expected)
    {
        var tuned = new NpgsqlConnectionStringBuilder(SqlDialect.PostgreSql.Tune(Given + setting));
        Assert.Equal(expected, tuned.MaxAutoPrepare);
        Assert.True(tuned.NoResetOnClose);
    }

    [Theory]
    [InlineData(";No Reset On Close=false")]
    [InlineData(";NoResetOnClose=False")]
    public void An_operators_own_reset_setting_is_kept(string setting)
    {
        var tuned = new NpgsqlConnectionStringBuilder(SqlDialect.PostgreSql.Tune(Given + setting));
        Assert.False(tuned.NoResetOnClose);
        Assert.Equal(64, tuned.MaxAutoPrepare);
    }

    [Fact]
    public void A_connection_string_that_gives_every_setting_is_left_as_given()
    {
        const string complete = Given + ";Max Auto Prepare=8;No Reset On Close=false";
        Assert.Equal(new NpgsqlConnectionStringBuilder(complete).ConnectionString,
            new NpgsqlConnectionStringBuilder(SqlDialect.PostgreSql.Tune(complete)).ConnectionString);
    }

    [Fact]
    public void Other_providers_connection_strings_are_left_as_given()
    {
        const string sqlite = "Data Source=/data/consent.db;Cache=Private;Pooling=True";
        Assert.Equal(sqlite, SqlDialect.Sqlite.Tune(sqlite));
    }
}
