using System.Globalization;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Errors;

namespace Cxdi.Plugins.Phasing.Operators;

/// <summary>Factory of the built-in operators, by their PyNX names.</summary>
public static class Operators
{
    /// <summary>Error reduction cycle.</summary>
    public static PhasingOperator ER() => new CycleOperator(ObjectUpdateKind.ErrorReduction, 0, "ER");

    /// <summary>Hybrid input-output cycle with feedback <paramref name="beta"/>.</summary>
    public static PhasingOperator HIO(float beta = 0.9f) => new CycleOperator(ObjectUpdateKind.HybridInputOutput, beta, "HIO");

    /// <summary>RAAR cycle with relaxation <paramref name="beta"/>.</summary>
    public static PhasingOperator RAAR(float beta = 0.75f) => new CycleOperator(ObjectUpdateKind.Raar, beta, "RAAR");

    /// <summary>Difference-map cycle.</summary>
    public static PhasingOperator DM() => new CycleOperator(ObjectUpdateKind.DifferenceMap, 1, "DM");

    /// <summary>Charge-flipping cycle.</summary>
    public static PhasingOperator CF() => new CycleOperator(ObjectUpdateKind.ChargeFlipping, 0, "CF");

    /// <summary>Shrink-wrap support update.</summary>
    public static PhasingOperator Sup() => new SupportUpdateOperator();

    /// <summary>Forward FFT.</summary>
    public static PhasingOperator FT() => new FourierTransformOperator();

    /// <summary>Inverse FFT.</summary>
    public static PhasingOperator IFT() => new InverseFourierTransformOperator();

    /// <summary>Modulus projection (in Fourier space).</summary>
    public static PhasingOperator Proj() => new ModulusProjectionOperator();

    /// <summary>Support projection with the state's constraints (in real space).</summary>
    public static PhasingOperator PS() => new SupportProjectionOperator();

    /// <summary>Metrics of the current object, recorded in the history.</summary>
    public static PhasingOperator LLK() => new MetricsOperator();
}

/// <summary>
/// Parses PyNX-style operator strings: <c>"ER**100 * (Sup * ER**5 * HIO**40)**20 * HIO**200"</c>. Grammar:
/// <c>expr := term ('*' term)*</c>, <c>term := factor ('**' integer)*</c>, <c>factor := name ['(' number ')'] | '(' expr ')'</c>.
/// <c>**</c> binds tighter than <c>*</c>; the product applies right to left. Names (case-insensitive): ER, HIO, RAAR, DM,
/// CF, Sup (or SupportUpdate), FT, IFT, Proj, PS, LLK; HIO and RAAR accept β in parentheses, e.g. <c>HIO(0.7)</c>.
/// </summary>
public sealed class OperatorParser
{
    private static readonly string[] Names = ["ER", "HIO", "RAAR", "DM", "CF", "Sup", "SupportUpdate", "FT", "IFT", "Proj", "PS", "LLK"];

    private readonly string text;
    private readonly string option;
    private readonly float hioBeta;
    private readonly float raarBeta;
    private int pos;

    private OperatorParser(string text, string option, float hioBeta, float raarBeta)
    {
        this.text = text;
        this.option = option;
        this.hioBeta = hioBeta;
        this.raarBeta = raarBeta;
    }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="OperatorSyntaxException"/> with the position and the expected token.</summary>
    /// <param name="text">The operator string.</param>
    /// <param name="hioBeta">β of HIO when not given in parentheses.</param>
    /// <param name="raarBeta">β of RAAR when not given in parentheses.</param>
    /// <param name="option">Name of the option holding the string, for messages.</param>
    public static PhasingOperator Parse(string text, float hioBeta = 0.9f, float raarBeta = 0.75f, string option = "operators")
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new OperatorParser(text, option, hioBeta, raarBeta);
        var result = parser.Expression();
        parser.SkipSpace();
        if (parser.pos < text.Length)
        {
            throw parser.Error(text[parser.pos] == ')' ? "'*' or the end (unbalanced ')')" : "'*', '**' or the end");
        }

        return result;
    }

    private PhasingOperator Expression()
    {
        var result = Term();
        while (true)
        {
            SkipSpace();
            if (pos < text.Length && text[pos] == '*' && !(pos + 1 < text.Length && text[pos + 1] == '*'))
            {
                pos++;
                var right = Term();
                result *= right;
            }
            else
            {
                return result;
            }
        }
    }

    private PhasingOperator Term()
    {
        var result = Factor();
        while (true)
        {
            SkipSpace();
            if (pos + 1 < text.Length && text[pos] == '*' && text[pos + 1] == '*')
            {
                pos += 2;
                SkipSpace();
                var start = pos;
                while (pos < text.Length && char.IsAsciiDigit(text[pos]))
                {
                    pos++;
                }

                if (pos == start)
                {
                    throw Error("a repeat count (a positive integer) after '**'");
                }

                if (!int.TryParse(text.AsSpan(start, pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
                {
                    pos = start;
                    throw Error("a repeat count between 1 and 2147483647");
                }

                result = result.Repeat(count);
            }
            else
            {
                return result;
            }
        }
    }

    private PhasingOperator Factor()
    {
        SkipSpace();
        if (pos >= text.Length)
        {
            throw Error($"an operator ({string.Join(", ", Names)}) or '('");
        }

        if (text[pos] == '(')
        {
            pos++;
            var inner = Expression();
            SkipSpace();
            if (pos >= text.Length || text[pos] != ')')
            {
                throw Error("')'");
            }

            pos++;
            return inner;
        }

        var start = pos;
        while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] == '_'))
        {
            pos++;
        }

        if (pos == start)
        {
            throw Error($"an operator ({string.Join(", ", Names)}) or '('");
        }

        var name = text[start..pos];
        float? argument = null;
        SkipSpace();
        if (pos < text.Length && text[pos] == '(' && name.ToUpperInvariant() is "HIO" or "RAAR")
        {
            pos++;
            SkipSpace();
            var numberStart = pos;
            while (pos < text.Length && (char.IsAsciiDigit(text[pos]) || text[pos] is '.' or 'e' or 'E' or '-' or '+'))
            {
                pos++;
            }

            if (!float.TryParse(text.AsSpan(numberStart, pos - numberStart), NumberStyles.Float, CultureInfo.InvariantCulture, out var beta) || !(beta > 0) || beta > 2)
            {
                pos = numberStart;
                throw Error($"a number for β of {name} (0 < β ≤ 2)");
            }

            SkipSpace();
            if (pos >= text.Length || text[pos] != ')')
            {
                throw Error("')'");
            }

            pos++;
            argument = beta;
        }

        return name.ToUpperInvariant() switch
        {
            "ER" => Operators.ER(),
            "HIO" => Operators.HIO(argument ?? hioBeta),
            "RAAR" => Operators.RAAR(argument ?? raarBeta),
            "DM" => Operators.DM(),
            "CF" => Operators.CF(),
            "SUP" or "SUPPORTUPDATE" => Operators.Sup(),
            "FT" => Operators.FT(),
            "IFT" => Operators.IFT(),
            "PROJ" => Operators.Proj(),
            "PS" => Operators.PS(),
            "LLK" => Operators.LLK(),
            _ => throw ErrorAt(start, $"an operator ({string.Join(", ", Names)}), not '{name}'"),
        };
    }

    private void SkipSpace()
    {
        while (pos < text.Length && char.IsWhiteSpace(text[pos]))
        {
            pos++;
        }
    }

    private OperatorSyntaxException Error(string expected) => ErrorAt(pos, expected);

    private OperatorSyntaxException ErrorAt(int at, string expected) => new(text, at, expected, option);
}
