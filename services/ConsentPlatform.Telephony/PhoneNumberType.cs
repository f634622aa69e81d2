namespace ConsentPlatform.Telephony;

/// <summary>What kind of line a number belongs to, as far as the numbering plan tells.</summary>
public enum PhoneNumberType
{
    /// <summary>The plan does not say (never the type of a number that parsed, in practice).</summary>
    Unknown,
    Mobile,
    Fixed,
    /// <summary>NANP geographic numbers: the plan does not distinguish mobile from fixed.</summary>
    FixedOrMobile,
    TollFree,
    Voip,
    /// <summary>Caller and callee share the cost (GB 084, CN 400, AU 13/1300).</summary>
    SharedCost,
    Premium,
    /// <summary>Machine-to-machine (JP 020 outside 0204).</summary>
    M2M,
    Pager,
    PersonalNumber,
    /// <summary>Universal access numbers (JP navi-dial 0570, GB 03, KR 15xx/16xx/18xx, FR 0806).</summary>
    Uan,
    Voicemail,
}
