using ConsentPlatform.Consent.Gate;
using ConsentPlatform.Telephony;

namespace ConsentPlatform.Consent.Requests;

/// <summary>What is wrong with a request as given; the API and the pages each say it in their own words.</summary>
public enum RequestProblem { Kind, NoContact, BothContacts, Email, Phone, NoSms }

/// <summary>
/// A request's kind and contact, checked once for the API (a phone number or an email field) and the
/// pages (one field that takes either), so both refuse exactly the same input.
/// </summary>
public sealed record RequestInput(string Kind, PhoneNumber Number, string? Email)
{
    public bool ByEmail => Email is not null;

    /// <summary>The checked input, or every problem found; PhoneDetail says why a number did not parse.</summary>
    public static (RequestInput? Input, IReadOnlyList<RequestProblem> Problems, string? PhoneDetail) Check(string? kind, string? phoneNumber, string? email)
    {
        var problems = new List<RequestProblem>();
        if (kind is null || !DataSubjectRequests.Kinds.Contains(kind)) problems.Add(RequestProblem.Kind);
        var byPhone = !string.IsNullOrWhiteSpace(phoneNumber);
        var byEmail = !string.IsNullOrWhiteSpace(email);
        if (byPhone == byEmail)
        {
            problems.Add(byPhone ? RequestProblem.BothContacts : RequestProblem.NoContact);
            return (null, problems, null);
        }
        if (byEmail)
        {
            if (CheckInput.EmailError(email!) is not null) problems.Add(RequestProblem.Email);
            return problems.Count > 0 ? (null, problems, null) : (new RequestInput(kind!, default, email!.Trim()), problems, null);
        }
        var parsed = PhoneNumbers.Parse(phoneNumber, "JP");
        if (!parsed.IsValid) problems.Add(RequestProblem.Phone);
        else if (!parsed.Number.CanReceiveSms) problems.Add(RequestProblem.NoSms);
        return problems.Count > 0 ? (null, problems, parsed.IsValid ? null : parsed.ErrorMessage) : (new RequestInput(kind!, parsed.Number, null), problems, null);
    }

    /// <summary>The pages' one field: an address when it has an @, otherwise a number in any format.</summary>
    public static (string? PhoneNumber, string? Email) SplitContact(string? contact) =>
        contact?.Contains('@') == true ? (null, contact) : (contact, null);
}
