using System.Globalization;
using Cxdi.Host.Execution;
using Cxdi.Host.Options;
using Cxdi.Host.Plugins;
using Cxdi.Host.Workflows;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Host.Cli;

/// <summary>Statistics of the measured pixels of a data set.</summary>
/// <param name="Min">Smallest measured value.</param>
/// <param name="Max">Largest measured value.</param>
/// <param name="Sum">Sum of measured values.</param>
/// <param name="Mean">Mean of measured values.</param>
public sealed record IntensityStatistics(double Min, double Max, double Sum, double Mean);

/// <summary>What <c>cxdi inspect</c> reports about a file.</summary>
public sealed record InspectReport
{
    /// <summary>File (and inner path) read.</summary>
    public required string File { get; init; }

    /// <summary>Reader id.</summary>
    public required string Reader { get; init; }

    /// <summary>Reader version.</summary>
    public required string ReaderVersion { get; init; }

    /// <summary>Reader description (the format).</summary>
    public required string Format { get; init; }

    /// <summary>Shape, slowest axis first.</summary>
    public required int[] Shape { get; init; }

    /// <summary>Number of pixels.</summary>
    public required long Pixels { get; init; }

    /// <summary>Number of measured pixels.</summary>
    public required long Measured { get; init; }

    /// <summary>Statistics of measured pixels; null when none is measured.</summary>
    public IntensityStatistics? Intensity { get; init; }

    /// <summary>Pixels carrying each mask flag (snake_case names), and <c>unknown</c> for any unknown flag.</summary>
    public required Dictionary<string, long> Mask { get; init; }

    /// <summary>Known geometry values (SI units).</summary>
    public required Dictionary<string, object> Geometry { get; init; }

    /// <summary>File metadata.</summary>
    public required Dictionary<string, object> Metadata { get; init; }

    /// <summary>Source files with SHA-256.</summary>
    public required IReadOnlyList<SourceFile> Sources { get; init; }
}

/// <summary><c>cxdi inspect</c>: detect the reader, read the file, summarise it.</summary>
internal static class Inspector
{
    public static long Measured(DiffractionData data)
    {
        long n = 0;
        for (long i = 0; i < data.Mask.LongLength; i++)
        {
            if (data.IsMeasured(i))
            {
                n++;
            }
        }

        return n;
    }

    public static InspectReport Inspect(CommandContext ctx, WorkflowPlanner planner, string file, string? readerId, CancellationToken token)
    {
        var source = DataPath.Parse(Path.GetFullPath(Path.Combine(ctx.Environment.CurrentDirectory, file)));
        if (Directory.Exists(source.File))
        {
            throw new UsageException($"{file} is a directory, not a file", "give the path of a data file");
        }

        if (!File.Exists(source.File))
        {
            throw new UsageException($"file {file} not found");
        }

        PluginDescriptor descriptor;
        if (readerId is not null)
        {
            descriptor = ctx.Catalog.Find(readerId, PluginRole.Reader) is { } d
                ? d
                : ctx.Catalog.Find(readerId) is { } other
                    ? throw new UsageException($"--reader {readerId}: {readerId} is a {other.RoleName}, not a reader", "'cxdi plugins' lists the readers")
                    : throw new UsageException($"unknown reader '{readerId}'{Naming.Suggest(readerId, ctx.Catalog.OfRole(PluginRole.Reader).Select(r => r.Id))}", "'cxdi plugins' lists the readers");
        }
        else
        {
            descriptor = planner.Detect(source.File, out var error) ?? throw new UsageException(error);
        }

        var reader = (IDataReader)PluginCatalog.Create(descriptor);
        var options = (PluginOptions)Activator.CreateInstance(descriptor.OptionsType)!;
        var data = PluginGuard.Call(descriptor.Id, () => reader.Read(source, options, ctx.StepContext("inspect", token)));
        WorkflowRunner.CheckData(descriptor.Id, data, null);

        long measured = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        var flags = Enum.GetValues<MaskFlags>().Where(f => f is not MaskFlags.None and not MaskFlags.Unknown && System.Numerics.BitOperations.PopCount((uint)f) == 1).ToList();
        var mask = flags.ToDictionary(f => Naming.ToSnakeCase(f.ToString()), _ => 0L, StringComparer.Ordinal);
        long unknown = 0;
        for (long i = 0; i < data.Intensity.LongLength; i++)
        {
            var m = data.Mask[i];
            if (m != 0)
            {
                foreach (var f in flags)
                {
                    if ((m & (uint)f) != 0)
                    {
                        mask[Naming.ToSnakeCase(f.ToString())]++;
                    }
                }
            }

            if ((m & (uint)MaskFlags.Unknown) != 0)
            {
                unknown++;
                continue;
            }

            double v = data.Intensity[i];
            measured++;
            sum += v;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }

        mask["unknown"] = unknown;
        var g = data.Geometry;
        var geometry = new Dictionary<string, object>(StringComparer.Ordinal);
        void Add(string key, object? value)
        {
            if (value is not null)
            {
                geometry[key] = value;
            }
        }

        Add("wavelength_m", g.Wavelength);
        Add("energy_ev", g.Energy / 1.602176634e-19);
        Add("detector_distance_m", g.DetectorDistance);
        Add("pixel_size_x_m", g.PixelSizeX);
        Add("pixel_size_y_m", g.PixelSizeY);
        Add("beam_center_x_px", g.BeamCenterX);
        Add("beam_center_y_px", g.BeamCenterY);
        Add("tilt_angles_rad", g.TiltAngles);
        Add("tilt_axis", g.TiltAxis);

        return new InspectReport
        {
            File = source.ToString(),
            Reader = descriptor.Id,
            ReaderVersion = descriptor.Version,
            Format = descriptor.Description,
            Shape = data.Shape.Dimensions,
            Pixels = data.Shape.Length,
            Measured = measured,
            Intensity = measured == 0 ? null : new IntensityStatistics(min, max, sum, sum / measured),
            Mask = mask,
            Geometry = geometry,
            Metadata = new Dictionary<string, object>(data.Metadata, StringComparer.Ordinal),
            Sources = data.Provenance.Sources,
        };
    }

    public static void Print(TextWriter o, InspectReport r)
    {
        var ci = CultureInfo.InvariantCulture;
        o.WriteLine($"file:     {r.File}");
        o.WriteLine($"reader:   {r.Reader} {r.ReaderVersion}{(r.Format.Length > 0 ? $" ({r.Format})" : "")}");
        o.WriteLine($"shape:    {string.Join('x', r.Shape)} ({r.Pixels} pixels)");
        o.WriteLine(string.Create(ci, $"measured: {r.Measured} ({100.0 * r.Measured / Math.Max(1, r.Pixels):F2} %)"));
        if (r.Intensity is { } s)
        {
            o.WriteLine(string.Create(ci, $"intensity (measured pixels): min {s.Min:G6}  max {s.Max:G6}  sum {s.Sum:G8}  mean {s.Mean:G6}"));
        }
        else
        {
            o.WriteLine("intensity: no measured pixel");
        }

        var flagged = r.Mask.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value}").ToList();
        o.WriteLine($"mask:     {(flagged.Count == 0 ? "no flagged pixel" : string.Join(", ", flagged))}");
        o.WriteLine($"geometry: {(r.Geometry.Count == 0 ? "unknown" : string.Join(", ", r.Geometry.Select(kv => $"{kv.Key} {Commands.Show(kv.Value)}")))}");
        if (r.Metadata.Count > 0)
        {
            o.WriteLine("metadata:");
            foreach (var (key, value) in r.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                o.WriteLine($"  {key} = {Commands.Show(value)}");
            }
        }

        foreach (var source in r.Sources)
        {
            o.WriteLine($"source:   {source.Path} sha256 {source.Sha256}");
        }
    }
}
