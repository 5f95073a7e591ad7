using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Host.TestPlugins;

/// <summary>Options of <see cref="JsonWriter"/>.</summary>
public sealed record JsonWriterOptions : PluginOptions
{
    /// <summary>Indent the JSON.</summary>
    [Description("Indent the JSON")]
    public bool Indent { get; init; }

    /// <summary>A file stem whose writing fails (a writer bug), or null.</summary>
    [Description("Fail when asked to write this stem")]
    public string? FailOn { get; init; }
}

/// <summary>Writes a JSON digest of any item (kind, shape, sums, runs, provenance steps).</summary>
[CxdiPlugin("test.json", "1.0.0", Description = "JSON digest writer")]
public sealed class JsonWriter : DataWriterBase<JsonWriterOptions>
{
    /// <inheritdoc />
    public override bool CanWrite(DataItem item) => true;

    /// <inheritdoc />
    protected override IReadOnlyList<string> Write(DataItem item, string basePath, JsonWriterOptions options, StepContext context)
    {
        if (options.FailOn == Path.GetFileName(basePath))
        {
            throw new IOException("disk full");
        }

        var digest = new Dictionary<string, object?>
        {
            ["kind"] = item.GetType().Name,
            ["shape"] = item.Spec.Shape.ToString(),
            ["steps"] = item.Provenance.Steps.Select(s => new Dictionary<string, object?> { ["plugin"] = s.PluginId, ["options"] = s.Options }).ToList(),
        };
        switch (item)
        {
            case DiffractionData d:
                digest["sum"] = d.Intensity.Where((_, i) => d.IsMeasured(i)).Sum(v => (double)v);
                digest["support"] = d.InitialSupport?.Count(b => b != 0);
                break;
            case ReconstructionSet s:
                digest["runs"] = s.Runs.Select(r => r.Index).ToList();
                digest["amplitude_sum"] = s.Runs.Sum(r => r.Object.Sum(c => (double)c.Abs));
                break;
        }

        var path = basePath + ".json";
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(digest, new JsonSerializerOptions { WriteIndented = options.Indent }));
        File.Move(temp, path, overwrite: true);
        return [path];
    }
}

/// <summary>Writes diffraction data as TESTRAW text (only diffraction data).</summary>
[CxdiPlugin("test.raw", "1.0.0", Description = "TESTRAW writer (shares its id with the TESTRAW reader)")]
public sealed class TextWriterPlugin : DataWriterBase<NoOptions>
{
    /// <inheritdoc />
    public override bool CanWrite(DataItem item) => item is DiffractionData;

    /// <inheritdoc />
    protected override IReadOnlyList<string> Write(DataItem item, string basePath, NoOptions options, StepContext context)
    {
        var d = (DiffractionData)item;
        var path = basePath + ".txt";
        File.WriteAllText(path, $"TESTRAW {d.Shape.Ny} {d.Shape.Nx}\n" + string.Join(' ', d.Intensity.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "\n");
        return [path];
    }
}

/// <summary>Options of <see cref="StatsTool"/>.</summary>
public sealed record StatsOptions : PluginOptions
{
    /// <summary>Size of the generated pattern.</summary>
    [Description("Side of the generated ramp")]
    [System.ComponentModel.DataAnnotations.Range(2, 64)]
    public int Size { get; init; } = 4;

    /// <summary>Print the sum only.</summary>
    [Description("Print only the sum")]
    public bool Quiet { get; init; }

    /// <summary>Weights.</summary>
    [Description("Weights")]
    public double[] Weights { get; init; } = [1.0];
}

/// <summary>A <c>cxdi stats</c> command: sums a generated ramp times the weights.</summary>
[CxdiPlugin("test.stats-tool", "1.0.0", Description = "Sums a ramp")]
public sealed class StatsTool : ICliTool
{
    /// <inheritdoc />
    public Type OptionsType => typeof(StatsOptions);

    /// <inheritdoc />
    public string Command => "stats";

    /// <inheritdoc />
    public int Run(PluginOptions options, TextWriter output, StepContext context)
    {
        var o = (StatsOptions)options;
        var n = o.Size;
        double sum = 0;
        for (var y = 0; y < n; y++)
        {
            for (var x = 0; x < n; x++)
            {
                sum += 1 + y + x;
            }
        }

        sum *= o.Weights.Sum();
        output.WriteLine(o.Quiet ? sum.ToString(CultureInfo.InvariantCulture) : $"sum of a {n}x{n} ramp: {sum.ToString(CultureInfo.InvariantCulture)}");
        context.Output?.Write(new DiffractionData(Shape.Of(n, n), new float[n * n]), "stats");
        return 0;
    }
}
