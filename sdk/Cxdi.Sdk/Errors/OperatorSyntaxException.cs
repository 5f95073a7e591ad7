namespace Cxdi.Sdk.Errors;

/// <summary>A phasing operator string (e.g. <c>"ER**100 * (Sup * HIO**40)**20"</c>) does not parse; the host shows it with the YAML line.</summary>
public sealed class OperatorSyntaxException(string text, int position, string expected, string option = "operators")
    : CxdiException($"{option}: cannot parse \"{text}\" at position {position + 1}: expected {expected}", "write operators like \"ER**100 * (Sup * ER**5 * HIO**40)**20 * HIO**200\"")
{
    /// <summary>The whole operator string.</summary>
    public string Text { get; } = text;

    /// <summary>Zero-based character position of the error.</summary>
    public int Position { get; } = position;

    /// <summary>What the parser expected there, in words.</summary>
    public string Expected { get; } = expected;

    /// <summary>The option that held the string.</summary>
    public string Option { get; } = option;
}
