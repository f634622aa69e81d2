namespace ConsentPlatform.Telephony;

/// <summary>What kind of line a number belongs to, as far as the numbering plan tells.</summary>
public enum PhoneNumberType
{
    /// <summary>Valid by length for its country, but we have no detailed plan for it.</summary>
    Unknown,
    Mobile,
    Fixed,
    /// <summary>NANP geographic numbers: the plan does not distinguish mobile from fixed.</summary>
    FixedOrMobile,
    TollFree,
    Voip,
    /// <summary>Caller and callee share the cost (JP navi-dial 0570, GB 084, FR 081/082, CN 400, AU 13/1300).</summary>
    SharedCost,
    Premium,
    /// <summary>Machine-to-machine (JP 020).</summary>
    M2M,
    Pager,
    PersonalNumber,
    /// <summary>Non-geographic numbers charged like geographic ones (GB 03, KR 15xx/16xx/18xx).</summary>
    Uan,
}
