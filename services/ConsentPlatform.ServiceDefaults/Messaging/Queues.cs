namespace ConsentPlatform.ServiceDefaults.Messaging;

/// <summary>
/// Every receive queue of every service. Queue names are one namespace on a shared broker, so
/// they live in one list, where a clash or a rename shows; a queue is renamed only with a plan
/// for the messages waiting in the old one.
/// </summary>
public static class Queues
{
    public const string ConsentOptOuts = "consent-opt-outs";
    public const string ConsentOptIns = "consent-opt-ins";
    public const string ConsentContactErased = "consent-contact-erased";
    public const string ConsentEmailConfirmations = "consent-email-confirmations";

    public const string NoticesReplica = "notices-replica";
    public const string NoticesVerificationCodes = "notices-verification-codes";
    public const string NoticesVerificationCall = "notices-verification-call";
    public const string NoticesEmailConfirmations = "notices-email-confirmations";
    public const string NoticesConsoleFigures = "notices-console-figures";
    public const string NoticesContactRecord = "notices-contact-record";

    public const string ResponsesResponseLinks = "responses-response-links";
    public const string ResponsesConsentProvenance = "responses-consent-provenance";
    public const string ResponsesCallNotices = "responses-call-notices";
    public const string ResponsesPreferenceChanges = "responses-preference-changes";
    public const string ResponsesErasure = "responses-erasure";
    public const string ResponsesConsoleFigures = "responses-console-figures";
    public const string ResponsesContactRecord = "responses-contact-record";

    public const string DirectoryErasure = "directory-erasure";

    /// <summary>Each service that keeps a replica of organization profiles has its own queue ("notices-organization-profiles").</summary>
    public static string OrganizationProfiles(string service) => $"{service}-organization-profiles";

    /// <summary>Each service that keeps opt-out propagation samples answers the console's question on its own queue ("notices-propagation-figures").</summary>
    public static string PropagationFigures(string service) => $"{service}-propagation-figures";
}
