using System.Globalization;
using Cxdi.Sdk.Errors;

namespace Cxdi.Plugins.Preprocessing.Planning;

/// <summary>Parses physical quantities written with units on the command line (<c>8keV</c>, <c>30m</c>, <c>75um</c>, <c>1.55A</c>).</summary>
public static class Units
{
    /// <summary>h·c in eV·m, to convert a photon energy to a wavelength.</summary>
    public const double HcEvMetre = 1.239841984e-6;

    /// <summary>A photon energy in eV from "8keV", "8 keV", "8000eV".</summary>
    public static double EnergyEv(string text, string option)
    {
        var (value, unit) = Split(text, option);
        return unit switch
        {
            "ev" => value,
            "kev" => value * 1e3,
            "mev" => value * 1e6,
            _ => throw Bad(option, text, "an energy in eV or keV, e.g. 8keV"),
        };
    }

    /// <summary>A length in metres from "30m", "300 mm", "75um", "75µm", "20nm", "1.55A", "1.55Å".</summary>
    public static double Metres(string text, string option)
    {
        var (value, unit) = Split(text, option);
        return unit switch
        {
            "m" => value,
            "cm" => value * 1e-2,
            "mm" => value * 1e-3,
            "um" or "µm" or "μm" or "micron" or "microns" => value * 1e-6,
            "nm" => value * 1e-9,
            "a" or "å" or "angstrom" => value * 1e-10,
            "pm" => value * 1e-12,
            _ => throw Bad(option, text, "a length with a unit: m, cm, mm, um (µm), nm or A (Å), e.g. 75um"),
        };
    }

    private static (double Value, string Unit) Split(string text, string option)
    {
        var t = text.Trim();
        var cut = 0;
        while (cut < t.Length && (char.IsDigit(t[cut]) || t[cut] is '.' or '-' or '+' or 'e' or 'E'))
        {
            // Stop at an 'e' that starts a unit ("eV") rather than an exponent.
            if (t[cut] is 'e' or 'E' && !(cut + 1 < t.Length && (char.IsDigit(t[cut + 1]) || t[cut + 1] is '-' or '+')))
            {
                break;
            }

            cut++;
        }

        if (cut == 0 || !double.TryParse(t[..cut], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || !double.IsFinite(value))
        {
            throw Bad(option, text, "a positive number followed by its unit");
        }

        var unit = t[cut..].Trim().ToLowerInvariant();
        if (unit.Length == 0)
        {
            throw new WorkflowShapeException($"{option} '{text}' has no unit", $"write the unit after the number, e.g. {option} {Example(option)}");
        }

        return (value, unit);
    }

    private static WorkflowShapeException Bad(string option, string text, string expected)
        => new($"{option} '{text}' is not {expected}", $"write for example {option} {Example(option)}");

    private static string Example(string option) => option.Contains("energy", StringComparison.Ordinal) ? "8keV" : option.Contains("wavelength", StringComparison.Ordinal) ? "1.55A" : "75um";
}
