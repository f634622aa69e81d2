using System.Security.Cryptography;
using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Consent.Ledger;
using ConsentPlatform.Contracts;
using ConsentPlatform.ServiceDefaults.Recipients;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Consent.ConsentForms;

/// <summary>What was agreed; <see cref="Phone"/> (empty for email only) decides the time zone the receipt is shown in.</summary>
public sealed record Receipt(string ReceiptId, DateTimeOffset RecordedAt, IReadOnlyList<ReceiptLine> Lines, PhoneNumber Phone = default);

public sealed record ReceiptLine(string Channel, string? ThirdParty, string Contact, string? Text, int? TextVersion, string? TextHash, DateTimeOffset? ExpiresAt);

/// <summary>Turns a submitted form into ledger rows with their evidence (R5) and provenance (R6).</summary>
public sealed class FormSubmission(ConsentDatabase database, LedgerStore ledger, EventStore events, PhoneNumberHasher hasher, ConsentOptions options, TimeProvider time, ILogger<FormSubmission> logger)
{
    public sealed record Evidence(string? Ip, string? UserAgent, string? Referer);

    /// <summary>Validates and records; returns the receipt, or the errors by field name (nothing written).</summary>
    public async Task<(Receipt? Receipt, Dictionary<string, string[]> Errors)> SubmitAsync(EventView form, SubmitInput input, Evidence evidence, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        void Fail(string field, string message) => errors[field] = [message];
        var language = input.Lang is "ja" or "en" ? input.Lang : "ja";
        var ja = language == "ja";
        var reload = ja ? "フォームが更新されました。ページを読み込み直してから、もう一度お試しください。" : "The form was changed; reload it and try again.";

        var channels = (input.Channels ?? []).Distinct().ToList();
        if (channels.Any(c => !form.Channels.Contains(c))) Fail("channels", ja ? "このフォームにない連絡方法が選ばれています。" : "A ticked channel is not offered by this form.");
        var thirdParties = (input.ThirdParties ?? []).Distinct().ToList();
        if (thirdParties.Any(t => !form.ThirdParties.Contains(t))) Fail("thirdParties", ja ? "このフォームにない提供先が選ばれています。" : "A ticked recipient is not named on this form.");
        if (channels.Count == 0 && !errors.ContainsKey("channels"))
            Fail("channels", ja ? "同意する連絡方法を1つ以上選んでください。" : "Tick at least one way we may contact you.");

        PhoneNumber phone = default;
        if (!string.IsNullOrWhiteSpace(input.Phone))
        {
            var parsed = PhoneNumbers.Parse(input.Phone, options.RegionFor(form.OrganizationId));
            if (parsed.IsValid) phone = parsed.Number;
            else Fail("phone", (ja ? "電話番号が正しくありません: " : "The phone number is not valid: ") + PhoneInputText.Describe(parsed, language));
        }
        else if (channels.Any(c => c is Channels.Call or Channels.Sms))
        {
            Fail("phone", ja ? "電話またはSMSを選んだ場合は電話番号が必要です。" : "A phone number is needed for calls or SMS.");
        }
        if (channels.Contains(Channels.Sms) && !phone.IsEmpty && !phone.CanReceiveSms)
            Fail("phone", ja ? "この番号はSMSを受信できません。" : "This number cannot receive SMS.");

        string? email = null;
        if (!string.IsNullOrWhiteSpace(input.Email))
        {
            if (CheckInput.EmailError(input.Email) is not null) Fail("email", ja ? "メールアドレスが正しくありません。" : "The email is not a valid address.");
            else email = PhoneNumberHasher.NormalizeEmail(input.Email);
        }
        else if (channels.Contains(Channels.Email))
        {
            Fail("email", ja ? "メールを選んだ場合はメールアドレスが必要です。" : "An email address is needed for email.");
        }
        if (thirdParties.Count > 0 && phone.IsEmpty && email is null) Fail("thirdParties", ja ? "提供する電話番号かメールアドレスを入力してください。" : "Give a phone number or an email to share.");

        var shown = ParseVersions(input.TextVersions);
        if (shown is null) Fail("textVersions", reload);
        if (errors.Count > 0) return (null, errors);

        // Evidence names the words the person was shown; if the organizer edited the form since, those are older versions.
        var versions = await events.AllVersionsAsync(form.Id, cancellationToken);
        var now = time.GetUtcNow();
        var expires = now.AddMonths(form.LifetimeMonths);
        var phoneHash = phone.IsEmpty ? null : hasher.Hash(phone);
        var emailHash = email is null ? null : hasher.HashEmail(email);
        var receiptId = "rcpt_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        var subjectId = "sub_" + Guid.NewGuid().ToString("N");
        var rows = new List<LedgerRow>();
        var lines = new List<ReceiptLine>();
        foreach (var channel in channels)
        {
            var text = shown!.TryGetValue(channel, out var v) ? versions.FirstOrDefault(t => t.Channel == channel && t.Language == language && t.Version == v) : null;
            if (text is null) return (null, new() { ["textVersions"] = [reload] });
            var isEmail = channel == Channels.Email;
            rows.Add(Row(channel, null, isEmail ? email! : phone.E164, isEmail ? emailHash! : phoneHash!, text));
            lines.Add(new ReceiptLine(channel, null, isEmail ? email! : phone.FormatNational(), text.Body, text.Version, text.Hash, expires));
        }
        foreach (var recipient in thirdParties)
        {
            rows.Add(Row(LedgerRow.ShareChannel, recipient, phone.IsEmpty ? email! : phone.E164, phoneHash ?? emailHash!, null));
            lines.Add(new ReceiptLine(LedgerRow.ShareChannel, recipient, phone.IsEmpty ? email! : phone.FormatNational(), null, null, null, expires));
        }

        await using (var transaction = await database.BeginAsync(cancellationToken))
        {
            await ledger.AppendAsync(transaction, rows, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        logger.LogInformation("Form {EventId} submitted: receipt {ReceiptId}, {Rows} ledger rows", form.Id, receiptId, rows.Count);
        return (new Receipt(receiptId, now, lines, phone), errors);

        LedgerRow Row(string channel, string? thirdParty, string contact, string contactHash, TextVersion? text) => new()
        {
            Id = Guid.NewGuid().ToString(), ReceiptId = receiptId, SubjectId = subjectId, OrganizationId = form.OrganizationId, EventId = form.Id,
            Action = LedgerRow.Granted, Channel = channel, Purpose = form.Purpose, ThirdParty = thirdParty, Contact = contact, ContactHash = contactHash,
            PhoneHash = phoneHash, EmailHash = emailHash, TextVersion = text?.Version, TextHash = text?.Hash, Language = language,
            FormVersion = input.FormVersion ?? form.FormVersion, Method = "web_form", RecordedAt = now.ToUnixTimeMilliseconds(),
            ExpiresAt = expires.ToUnixTimeMilliseconds(), SourceEvent = form.Title, PageUrl = PageUrl(input.PageUrl) ?? PageUrl(evidence.Referer),
            Ip = evidence.Ip, UserAgent = evidence.UserAgent is { Length: > 500 } ua ? ua[..500] : evidence.UserAgent,
            Jurisdiction = phone.IsEmpty ? null : phone.RegionCode,
        };
    }

    private static string? PageUrl(string? value) =>
        value is { Length: <= 1000 } && Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? value : null;

    private static Dictionary<string, int>? ParseVersions(string? value)
    {
        var result = new Dictionary<string, int>();
        foreach (var part in (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = part.IndexOf(':');
            if (colon <= 0 || !int.TryParse(part[(colon + 1)..], out var version)) return null;
            result[part[..colon]] = version;
        }
        return result;
    }
}
