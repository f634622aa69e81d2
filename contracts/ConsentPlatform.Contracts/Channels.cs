namespace ConsentPlatform.Contracts;

/// <summary>Contact channels as they travel on the bus (lower-case strings keep messages readable in any language).</summary>
public static class Channels
{
    public const string Call = "call";
    public const string Sms = "sms";
    public const string Email = "email";

    public static readonly IReadOnlyList<string> All = [Call, Sms, Email];

    public static bool IsKnown(string? channel) => channel is Call or Sms or Email;
}
