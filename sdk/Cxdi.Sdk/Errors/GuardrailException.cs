namespace Cxdi.Sdk.Errors;

/// <summary>
/// A pre-phasing check refused the data because phasing cannot succeed on them (e.g. an oversampling ratio below the
/// uniqueness limit); the step's <c>force: true</c> option overrides it.
/// </summary>
/// <param name="code">Stable code of the failed check, e.g. <c>oversampling</c>.</param>
/// <param name="value">The measured number that failed the check.</param>
/// <param name="message">One line: what was measured, against which limit, naming the option.</param>
/// <param name="hint">What to do about it.</param>
public sealed class GuardrailException(string code, double value, string message, string? hint = null) : CxdiException(message, hint)
{
    /// <summary>Stable code of the failed check.</summary>
    public string Code { get; } = code;

    /// <summary>The measured value that failed the check.</summary>
    public double Value { get; } = value;
}
