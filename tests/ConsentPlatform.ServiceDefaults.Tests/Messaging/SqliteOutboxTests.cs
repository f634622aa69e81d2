namespace ConsentPlatform.ServiceDefaults.Tests.Messaging;

public sealed class SqliteOutboxTests
{
    [Fact] public Task Rolled_back_transaction_publishes_nothing() => OutboxScenarios.Rolled_back_transaction_publishes_nothing(DatabaseProvider.Sqlite);
    [Fact] public Task Committed_transaction_publishes_exactly_what_it_wrote() => OutboxScenarios.Committed_transaction_publishes_exactly_what_it_wrote(DatabaseProvider.Sqlite);
    [Fact] public Task Relay_that_dies_after_publishing_is_followed_by_a_republish_that_the_inbox_absorbs() => OutboxScenarios.Relay_that_dies_after_publishing_is_followed_by_a_republish_that_the_inbox_absorbs(DatabaseProvider.Sqlite);
    [Fact] public Task Two_relays_on_one_database_never_both_publish_a_row() => OutboxScenarios.Two_relays_on_one_database_never_both_publish_a_row(DatabaseProvider.Sqlite);
    [Fact] public Task Redelivered_message_changes_nothing() => OutboxScenarios.Redelivered_message_changes_nothing(DatabaseProvider.Sqlite);
}

public sealed class SqlServerOutboxTests
{
    [SqlServerFact] public Task Rolled_back_transaction_publishes_nothing() => OutboxScenarios.Rolled_back_transaction_publishes_nothing(DatabaseProvider.SqlServer);
    [SqlServerFact] public Task Committed_transaction_publishes_exactly_what_it_wrote() => OutboxScenarios.Committed_transaction_publishes_exactly_what_it_wrote(DatabaseProvider.SqlServer);
    [SqlServerFact] public Task Relay_that_dies_after_publishing_is_followed_by_a_republish_that_the_inbox_absorbs() => OutboxScenarios.Relay_that_dies_after_publishing_is_followed_by_a_republish_that_the_inbox_absorbs(DatabaseProvider.SqlServer);
    [SqlServerFact] public Task Two_relays_on_one_database_never_both_publish_a_row() => OutboxScenarios.Two_relays_on_one_database_never_both_publish_a_row(DatabaseProvider.SqlServer);
    [SqlServerFact] public Task Redelivered_message_changes_nothing() => OutboxScenarios.Redelivered_message_changes_nothing(DatabaseProvider.SqlServer);
}
