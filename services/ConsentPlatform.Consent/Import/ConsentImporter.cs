using System.Security.Cryptography;
using ConsentPlatform.Consent.ConsentForms;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Contracts;
using ConsentPlatform.Telephony;
using Dapper;

namespace ConsentPlatform.Consent.Import;

/// <summary>An accepted import file.</summary>
public sealed record ImportView(string Id, string EventId, string Format, string? FileName, string FileSha256, int Registrations, int LedgerRows, DateTimeOffset ImportedAt)
{
    /// <summary>Set in the upload's answer when the file was Shift_JIS (CP932) and was converted to UTF-8.</summary>
    public string? ConvertedFrom { get; init; }
}

/// <summary>What became of an upload: imported, or why not (nothing written in any of those cases).</summary>
public abstract record ImportOutcome
{
    public sealed record Imported(ImportView Import) : ImportOutcome;
    /// <summary>Bad rows: the first <see cref="ConsentImporter.MaxListedErrors"/> problems, and how many rows had any.</summary>
    public sealed record Invalid(IReadOnlyList<ImportError> Errors, int BadRows, int Rows) : ImportOutcome;
    public sealed record Unreadable(string Field, string Message) : ImportOutcome;
    public sealed record TooLarge(string Message) : ImportOutcome;
}

/// <summary>
/// Loads registrations collected elsewhere into the ledger, all or nothing. The upload is spooled to
/// a temporary file (the write transaction never waits on a slow client) and read once: every row is
/// validated, so the answer can list every bad row. Only when all are good are the ledger rows, hashes
/// and announcements built — still outside any transaction — and then written in one transaction that
/// does nothing but insert: on SQLite it holds the database's only writer, and every opt-out waits
/// behind it (docs/decisions/0005). The good rows are held in memory between the two steps; the
/// file size limit (Consent:ImportMaxBytes) bounds them.
/// </summary>
public sealed class ConsentImporter(ConsentDatabase database, LedgerStore ledger, PhoneNumberHasher hasher, ConsentOptions options, TimeProvider time, ILogger<ConsentImporter> logger)
{
    public const int MaxListedErrors = 1_000;

    public async Task<ImportOutcome> ImportAsync(string organizationId, EventView form, Stream body, ImportFormat format, string? fileName, CancellationToken cancellationToken)
    {
        var spool = Path.Combine(Path.GetTempPath(), $"cp-import-{Guid.NewGuid():N}.tmp");
        await using var file = new FileStream(spool, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        var (sha256, tooLarge) = await SpoolAsync(body, file, cancellationToken);
        if (tooLarge) return new ImportOutcome.TooLarge($"The file is larger than {options.ImportMaxBytes:N0} bytes (Consent:ImportMaxBytes); split it into smaller files.");

        var now = time.GetUtcNow();
        List<ValidRegistration> registrations;
        string? convertedFrom = null;
        try
        {
            file.Position = 0;
            var (refusal, valid) = await CheckAsync(file, format, form, now, name => convertedFrom = name, cancellationToken);
            if (refusal is not null) return refusal;
            registrations = valid;
        }
        catch (ImportFileException e)
        {
            return new ImportOutcome.Unreadable(e.Field, e.Message);
        }

        var importId = "imp_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        var batch = LedgerBatch.Prepare(Rows(registrations, organizationId, form, importId, now));
        var view = new ImportView(importId, form.Id, Format(format), fileName, sha256, registrations.Count, batch.Rows.Count, now) { ConvertedFrom = convertedFrom };
        await WriteAsync(organizationId, view, batch, cancellationToken);
        logger.LogInformation("Import {ImportId} into event {EventId} of {OrganizationId}: {Registrations} registrations, {LedgerRows} ledger rows",
            view.Id, form.Id, organizationId, view.Registrations, view.LedgerRows);
        return new ImportOutcome.Imported(view);
    }

    private async Task<(string Sha256, bool TooLarge)> SpoolAsync(Stream body, Stream file, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            // Kestrel enforces the limit before us; the test server and other hosts may not.
            if (total > options.ImportMaxBytes) return ("", true);
            hash.AppendData(buffer, 0, read);
            await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        await file.FlushAsync(cancellationToken);
        return ("sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset()), false);
    }

    /// <summary>Every row checked, nothing written: a refusal, or every registration validated.</summary>
    private async Task<(ImportOutcome? Refusal, List<ValidRegistration> Valid)> CheckAsync(Stream file, ImportFormat format, EventView form, DateTimeOffset now,
        Action<string> converted, CancellationToken cancellationToken)
    {
        var valid = new List<ValidRegistration>();
        var errors = new List<ImportError>();
        var listed = new List<ImportError>();
        int rows = 0, badRows = 0;
        await foreach (var raw in ImportReader.ReadAsync(file, format, converted, cancellationToken))
        {
            if (++rows > options.ImportMaxRows)
                return (new ImportOutcome.TooLarge($"The file holds more than {options.ImportMaxRows:N0} registrations (Consent:ImportMaxRows); split it into smaller files."), []);
            errors.Clear();
            if (ImportValidation.Validate(raw, form, options.RegionFor(form.OrganizationId), now, errors) is { } registration)
            {
                // Once one row is bad nothing will be written: keep only the errors from then on.
                if (badRows == 0) valid.Add(registration);
                continue;
            }
            badRows++;
            valid.Clear();
            listed.AddRange(errors.Take(MaxListedErrors - listed.Count));
        }
        if (rows == 0) return (new ImportOutcome.Unreadable("file", "The file holds no registrations."), []);
        return badRows > 0 ? (new ImportOutcome.Invalid(listed, badRows, rows), []) : (null, valid);
    }

    /// <summary>
    /// The one write transaction: the prepared rows, their announcements and the import's own row, all or
    /// nothing; no reads, nothing computed. The gate learns the rows after commit.
    /// </summary>
    private async Task WriteAsync(string organizationId, ImportView view, LedgerBatch batch, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO consent_imports (id, organization_id, event_id, format, file_name, file_sha256, registrations, ledger_rows, created_at)
            VALUES (@Id, @organizationId, @EventId, @Format, @FileName, @FileSha256, @Registrations, @LedgerRows, @createdAt)
            """;
        await using (var transaction = await database.BeginAsync(cancellationToken))
        {
            var held = System.Diagnostics.Stopwatch.GetTimestamp();
            var cache = await WidenPageCacheAsync(transaction, cancellationToken);
            try
            {
                await ledger.AppendAsync(transaction, batch, cancellationToken);
                await transaction.Connection.ExecuteAsync(new CommandDefinition(sql, new
                {
                    view.Id, organizationId, view.EventId, view.Format, view.FileName, view.FileSha256, view.Registrations, view.LedgerRows,
                    createdAt = view.ImportedAt.ToUnixTimeMilliseconds(),
                }, transaction.Inner, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
            }
            finally
            {
                ImportMetrics.RecordWriteTransaction(held);
                await RestorePageCacheAsync(transaction, cache);
            }
        }
    }

    /// <summary>Page cache of the import's SQLite connection while it writes, in KiB (the PRAGMA's negative form).</summary>
    private const int ImportPageCacheKiB = 128 * 1024;

    /// <summary>
    /// SQLite keeps a transaction's changed pages in its page cache (2 MiB by default) and, once that is full,
    /// spills them to the WAL — and spills an index page again each time a later row changes it. An import
    /// changes tens of MiB of pages; with room for them the writer was held 30–40% shorter in consent-import
    /// (60,000 registrations already in the ledger). Only this connection, only while it writes: pages are
    /// allocated as used and given back by <see cref="RestorePageCacheAsync"/>. Returns the previous setting
    /// (null on the servers, which have no such setting per connection).
    /// </summary>
    private static async Task<long?> WidenPageCacheAsync(ServiceDefaults.Data.Transaction transaction, CancellationToken cancellationToken)
    {
        var dialect = transaction.Database.Dialect;
        if (dialect.ReadPageCache is not { } read) return null;
        var previous = await transaction.Connection.ExecuteScalarAsync<long>(new CommandDefinition(read, transaction: transaction.Inner, cancellationToken: cancellationToken));
        await transaction.Connection.ExecuteAsync(new CommandDefinition(dialect.SetPageCache(-ImportPageCacheKiB), transaction: transaction.Inner, cancellationToken: cancellationToken));
        return previous;
    }

    /// <summary>The pooled connection goes back with its usual cache, so the memory is not kept.</summary>
    private static async Task RestorePageCacheAsync(ServiceDefaults.Data.Transaction transaction, long? previous)
    {
        if (previous is not { } size) return;
        try
        {
            // After commit the transaction is done with, and a command may no longer name it.
            var open = transaction.Inner.Connection is null ? null : transaction.Inner;
            await transaction.Connection.ExecuteAsync(new CommandDefinition(transaction.Database.Dialect.SetPageCache(size), transaction: open));
        }
        catch (Exception error) when (error is System.Data.Common.DbException or InvalidOperationException)
        {
            // A connection that cannot take a PRAGMA is broken and will not be reused as it is.
        }
    }

    public static string Format(ImportFormat format) => format == ImportFormat.Csv ? "csv" : "json";

    private sealed record Hashed(ValidRegistration Registration, string? PhoneHash, string? EmailHash);

    /// <summary>
    /// Every registration's ledger rows, in file order. The ledger's unique index on id and its index on
    /// receipt_id take random keys: inserted one by one, each row dirtied pages all over both indexes
    /// (twice the CPU of ordered keys with 100,000 rows already there). So the random row and receipt ids
    /// are drawn first and handed out in ascending order: each index takes this import's keys in order and
    /// touches each of its pages once. The ids stay as random as before. (phone_hash is random too;
    /// writing in its order would save a little more but would no longer keep the file's order in the ledger.)
    /// </summary>
    private List<LedgerRow> Rows(List<ValidRegistration> registrations, string organizationId, EventView form, string importId, DateTimeOffset now)
    {
        var receipts = Ascending(registrations.Count, () => "rcpt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)));
        var ids = Ascending(registrations.Sum(r => r.Channels.Count + r.ThirdParties.Count), () => Guid.NewGuid().ToString());
        var rows = new List<LedgerRow>(ids.Length);
        var next = 0;
        for (var i = 0; i < registrations.Count; i++)
        {
            var registration = registrations[i];
            var hashed = new Hashed(registration, registration.Phone.IsEmpty ? null : hasher.Hash(registration.Phone),
                registration.Email is null ? null : hasher.HashEmail(registration.Email));
            rows.AddRange(Rows(hashed, receipts[i], () => ids[next++], organizationId, form, importId, now));
        }
        return rows;
    }

    private static string[] Ascending(int count, Func<string> random)
    {
        var values = new string[count];
        for (var i = 0; i < count; i++) values[i] = random();
        Array.Sort(values, StringComparer.Ordinal);
        return values;
    }

    /// <summary>Exactly what a form submission writes — one row per consented channel — plus the provenance and evidence of the import.</summary>
    private static List<LedgerRow> Rows(Hashed hashed, string receiptId, Func<string> nextId, string organizationId, EventView form, string importId, DateTimeOffset now)
    {
        var (registration, phoneHash, emailHash) = hashed;
        var subjectId = "sub_" + Guid.NewGuid().ToString("N");
        // Consent lasts from when it was given, not from when the file was loaded: an old registration may already be expired (R7).
        var expires = registration.CollectedAt.AddMonths(form.LifetimeMonths).ToUnixTimeMilliseconds();
        var rows = new List<LedgerRow>(registration.Channels.Count + registration.ThirdParties.Count);
        foreach (var channel in registration.Channels)
            rows.Add(channel == Channels.Email ? Row(channel, null, registration.Email, emailHash!) : Row(channel, null, registration.Phone.E164, phoneHash!));
        // Third-party provisions (R9) as the form records them: one "share" row per named recipient.
        foreach (var recipient in registration.ThirdParties)
            rows.Add(registration.Phone.IsEmpty
                ? Row(LedgerRow.ShareChannel, recipient, registration.Email, emailHash!)
                : Row(LedgerRow.ShareChannel, recipient, registration.Phone.E164, phoneHash!));
        return rows;

        // nextId is read as each row is added, so the ids ascend in the order the rows are written.
        LedgerRow Row(string channel, string? thirdParty, string? contact, string contactHash) => new()
        {
            Id = nextId(), ReceiptId = receiptId, SubjectId = subjectId, OrganizationId = organizationId, EventId = form.Id,
            Action = LedgerRow.Granted, Channel = channel, ThirdParty = thirdParty, Purpose = form.Purpose, Contact = contact,
            ContactHash = contactHash, PhoneHash = phoneHash, EmailHash = emailHash,
            TextVersion = null, TextHash = registration.TextShown is { } shown ? EventStore.HashText(shown) : null, Language = registration.Language,
            FormVersion = null, Method = "import", RecordedAt = now.ToUnixTimeMilliseconds(), ExpiresAt = expires, SourceEvent = registration.Source,
            PageUrl = registration.PageUrl, Ip = registration.Ip, UserAgent = registration.UserAgent,
            Jurisdiction = registration.Phone.IsEmpty ? null : registration.Phone.RegionCode,
            CollectedAt = registration.CollectedAt.ToUnixTimeMilliseconds(), CaptureMethod = registration.CaptureMethod,
            TextReference = registration.TextReference, TextShown = registration.TextShown, Evidence = registration.Evidence, ImportId = importId,
        };
    }
}
