using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Host.TestPlugins;

/// <summary>Options of <see cref="GeneratorReader"/>.</summary>
public sealed record GeneratorOptions : PluginOptions
{
    /// <summary>Side of the square pattern.</summary>
    [Description("Side of the square pattern in pixels")]
    [Range(2, 4096)]
    public int Size { get; init; } = 16;

    /// <summary>Measured pixels to set to NaN (a reader bug the host must catch).</summary>
    [Description("Measured pixels to set to NaN")]
    public int NanPixels { get; init; }

    /// <summary>Pixels flagged as beamstop, from index 0.</summary>
    [Description("Pixels flagged as beamstop")]
    public int Beamstop { get; init; }
}

/// <summary>Generates I[y, x] = 1 + y + x with a beamstop mask; needs no file.</summary>
[CxdiPlugin("test.gen", "1.0.0", Description = "Generates a ramp pattern")]
public sealed class GeneratorReader : DataReaderBase<GeneratorOptions>
{
    /// <inheritdoc />
    public override bool RequiresFile => false;

    /// <inheritdoc />
    public override bool CanRead(string path, ReadOnlySpan<byte> head) => false;

    /// <inheritdoc />
    protected override DataSpec Probe(DataPath source, GeneratorOptions options) => new(DataSpace.Detector, Shape.Of(options.Size, options.Size), false);

    /// <inheritdoc />
    protected override DiffractionData Read(DataPath source, GeneratorOptions options, StepContext context)
    {
        var n = options.Size;
        var intensity = new float[n * n];
        var mask = new uint[n * n];
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                intensity[(y * n) + x] = 1 + y + x;
            }
        }

        for (var i = 0; i < options.Beamstop; i++)
        {
            mask[i] = (uint)MaskFlags.Beamstop;
        }

        for (var i = 0; i < options.NanPixels; i++)
        {
            intensity[^(i + 1)] = float.NaN;
        }

        return new DiffractionData(Shape.Of(n, n), intensity, mask)
        {
            Geometry = new Geometry { Wavelength = 1.5e-10, DetectorDistance = 5.0 },
            Metadata = { ["generator"] = "ramp" },
        };
    }
}

/// <summary>Reads "TESTRAW ny nx" followed by ny*nx numbers (negative values are flagged invalid).</summary>
[CxdiPlugin("test.raw", "2.1.0", Description = "Test text format")]
public sealed class RawTextReader : DataReaderBase<NoOptions>
{
    /// <inheritdoc />
    public override bool CanRead(string path, ReadOnlySpan<byte> head) => head.StartsWith("TESTRAW "u8);

    /// <inheritdoc />
    protected override DataSpec Probe(DataPath source, NoOptions options)
    {
        var (ny, nx, _) = Parse(source.File, headerOnly: true);
        return new DataSpec(DataSpace.Detector, Shape.Of(ny, nx), false);
    }

    /// <inheritdoc />
    protected override DiffractionData Read(DataPath source, NoOptions options, StepContext context)
    {
        var (ny, nx, values) = Parse(source.File, headerOnly: false);
        var mask = new uint[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] < 0)
            {
                mask[i] = (uint)MaskFlags.Invalid;
            }
        }

        var data = new DiffractionData(Shape.Of(ny, nx), values, mask);
        data.Provenance = data.Provenance.WithSource(new SourceFile(source.File, "0"));
        return data;
    }

    private static (int Ny, int Nx, float[] Values) Parse(string file, bool headerOnly)
    {
        var tokens = File.ReadAllText(file, Encoding.ASCII).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (tokens.Length < 3 || tokens[0] != "TESTRAW"
            || !int.TryParse(tokens[1], CultureInfo.InvariantCulture, out var ny) || !int.TryParse(tokens[2], CultureInfo.InvariantCulture, out var nx) || ny < 1 || nx < 1)
        {
            throw new InvalidInputException(file, "bad TESTRAW header", "the first line must be 'TESTRAW ny nx'");
        }

        if ((long)ny * nx != tokens.Length - 3)
        {
            throw new InvalidInputException(file, $"header says {ny}x{nx} values but the file holds {tokens.Length - 3}", "the file is truncated");
        }

        var values = headerOnly ? [] : tokens.Skip(3).Select(t => float.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        return (ny, nx, values);
    }
}
