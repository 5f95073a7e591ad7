using System.Globalization;
using Cxdi.Sdk.Errors;

namespace Cxdi.Sdk.Phasing;

/// <summary>
/// Parses PyNX-style operator strings against an <see cref="OperatorRegistry"/>:
/// <c>"ER**100 * (Sup * ER**5 * HIO(beta=0.7)**40)**20 * HIO**200"</c>. Grammar:
/// <c>expr := term ('*' term)*</c>, <c>term := factor ('**' integer)*</c>,
/// <c>factor := name ['(' [arg (',' arg)*] ')'] | '(' expr ')'</c>, <c>arg := [parameter '='] value</c>, a value being a
/// number, <c>true</c> or <c>false</c>; an argument without a name sets the operator's first parameter. <c>**</c> binds
/// tighter than <c>*</c>; the product applies right to left. Names are case-insensitive.
/// </summary>
internal sealed class OperatorParser
{
    private readonly string text;
    private readonly string option;
    private readonly OperatorRegistry registry;
    private readonly IReadOnlyDictionary<string, object>? defaults;
    private int pos;

    private OperatorParser(string text, string option, OperatorRegistry registry, IReadOnlyDictionary<string, object>? defaults)
    {
        this.text = text;
        this.option = option;
        this.registry = registry;
        this.defaults = defaults;
    }

    private string Known => string.Join(", ", registry.Operators.Select(o => o.Name));

    /// <summary>Parses <paramref name="text"/>; throws <see cref="OperatorSyntaxException"/> with the position and the expected token.</summary>
    public static PhasingOperator Parse(string text, OperatorRegistry registry, IReadOnlyDictionary<string, object>? defaults, string option)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(registry);
        var parser = new OperatorParser(text, option, registry, defaults);
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
            throw Error($"an operator ({Known}) or '('");
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
        var name = Identifier();
        if (name.Length == 0)
        {
            throw Error($"an operator ({Known}) or '('");
        }

        var info = registry.Find(name) ?? throw ErrorAt(start, $"an operator ({Known}), not '{name}'");
        var values = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var parameter in info.Parameters)
        {
            if (defaults is not null && defaults.TryGetValue($"{info.Name}.{parameter.Name}", out var value))
            {
                values[parameter.Name] = value;
            }
        }

        SkipSpace();
        if (pos < text.Length && text[pos] == '(')
        {
            pos++;
            Arguments(info, values);
        }

        return OperatorRegistry.Create(info, values);
    }

    private void Arguments(OperatorInfo info, Dictionary<string, object> values)
    {
        var given = new HashSet<string>(StringComparer.Ordinal);
        var first = true;
        while (true)
        {
            SkipSpace();
            if (pos < text.Length && text[pos] == ')' && first)
            {
                pos++;
                return;
            }

            if (info.Parameters.Count == 0)
            {
                throw Error($"')': {info.Name} takes no parameters");
            }

            var argStart = pos;
            var name = Identifier();
            OperatorParameterInfo parameter;
            SkipSpace();
            if (name.Length > 0 && pos < text.Length && text[pos] == '=')
            {
                pos++;
                parameter = info.Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
                    ?? throw ErrorAt(argStart, $"a parameter of {info.Name} ({string.Join(", ", info.Parameters.Select(p => p.Name))}), not '{name}'");
            }
            else
            {
                if (!first)
                {
                    pos = argStart;
                    throw Error($"a named parameter of {info.Name} (name=value) after the first argument");
                }

                pos = argStart;
                parameter = info.Parameters[0];
            }

            if (!given.Add(parameter.Name))
            {
                throw ErrorAt(argStart, $"each parameter once: {parameter.Name} of {info.Name} is given twice");
            }

            values[parameter.Name] = Value(info, parameter);
            first = false;
            SkipSpace();
            if (pos < text.Length && text[pos] == ',')
            {
                pos++;
                continue;
            }

            if (pos < text.Length && text[pos] == ')')
            {
                pos++;
                return;
            }

            throw Error("',' or ')'");
        }
    }

    private object Value(OperatorInfo info, OperatorParameterInfo parameter)
    {
        SkipSpace();
        var start = pos;
        while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] is '.' or '-' or '+'))
        {
            pos++;
        }

        var token = text[start..pos];
        var what = $"{info.Name} {parameter.Name}";
        var range = parameter.Minimum is { } min && parameter.Maximum is { } max
            ? $" between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}"
            : "";
        if (parameter.Type == typeof(bool))
        {
            if (bool.TryParse(token, out var b))
            {
                return b;
            }

            pos = start;
            throw Error($"true or false for {what}");
        }

        if (parameter.Type == typeof(int))
        {
            if (int.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) && InRange(parameter, i))
            {
                return i;
            }

            pos = start;
            throw Error($"an integer{range} for {what}");
        }

        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && InRange(parameter, d))
        {
            return parameter.Type == typeof(float) ? (float)d : d;
        }

        pos = start;
        throw Error($"a number{range} for {what}");
    }

    private static bool InRange(OperatorParameterInfo parameter, double value) =>
        (parameter.Minimum is not { } min || value >= min) && (parameter.Maximum is not { } max || value <= max);

    private string Identifier()
    {
        var start = pos;
        while (pos < text.Length && (char.IsAsciiLetterOrDigit(text[pos]) || text[pos] == '_'))
        {
            pos++;
        }

        return text[start..pos];
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
