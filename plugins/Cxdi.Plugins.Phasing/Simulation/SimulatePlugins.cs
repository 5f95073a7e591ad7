using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using System.ComponentModel;

namespace Cxdi.Plugins.Phasing.Simulation;

/// <summary>A reader that needs no file: it simulates a compact object's noisy far-field pattern with a beamstop and gaps, ground truth included.</summary>
[CxdiPlugin("cxdi.simulate", "1.0.0", Description = "Simulated CXDI data (2D or 3D): random compact object, Poisson noise, beamstop and detector gaps, with the true object as ground truth.")]
public sealed class SimulateReader : DataReaderBase<SimulateOptions>
{
    /// <inheritdoc />
    public override bool RequiresFile => false;

    /// <inheritdoc />
    public override bool CanRead(string path, ReadOnlySpan<byte> head) => false;

    /// <inheritdoc />
    protected override DataSpec Probe(DataPath source, SimulateOptions options) =>
        new(DataSpace.Detector, options.Series > 0 ? Shape.Of(options.Series, options.Size, options.Size) : options.Dims == 3 ? Shape.Of(options.Size, options.Size, options.Size) : Shape.Of(options.Size, options.Size), IsComplex: false);

    /// <inheritdoc />
    protected override DiffractionData Read(DataPath source, SimulateOptions options, StepContext context)
    {
        using var backend = context.Plugins?.CreateBackend(context.Backend) ?? new CpuComputeBackend(Fft.FftPreference.Auto, 0);
        var data = Simulator.Simulate(options, backend);
        data.Provenance = data.Provenance.WithStep(new AppliedStep("cxdi.simulate", "1.0.0", Describe(options)));
        return data;
    }

    internal static IReadOnlyDictionary<string, object?> Describe(SimulateOptions o) => new Dictionary<string, object?>
    {
        ["dims"] = o.Dims,
        ["size"] = o.Size,
        ["oversampling"] = o.Oversampling,
        ["complex"] = o.Complex,
        ["photons"] = o.Photons,
        ["seed"] = o.Seed,
        ["beamstop_radius"] = o.BeamstopRadius,
        ["beamstop_radius_px"] = o.BeamstopRadiusPx,
        ["gap_width"] = o.GapWidth,
        ["gap_offsets"] = o.GapOffsets,
        ["blobs"] = o.Blobs,
        ["series"] = o.Series,
        ["motion"] = o.Motion.Select(m => m.ToString().ToLowerInvariant()).ToArray(),
        ["motion_scale"] = o.MotionScale,
    };
}

/// <summary>Options of <c>cxdi simulate</c>: the simulation plus where to write it.</summary>
public sealed record SimulateToolOptions : SimulateOptions
{
    /// <summary>Output directory.</summary>
    [Description("Directory to write the simulated pattern, mask and true object to (created if missing).")]
    public string Out { get; init; } = "simulated";

    /// <summary>Writer id.</summary>
    [Description("Writer plugin used for the files (CXI keeps the pattern, the mask and the ground truth together).")]
    public string Writer { get; init; } = "cxdi.cxi";

    /// <summary>File stem.</summary>
    [Description("File name stem inside the output directory.")]
    public string Name { get; init; } = "simulated";
}

/// <summary><c>cxdi simulate --size 256 --photons 1e9 --out DIR</c>: writes a simulated pattern, its mask and the true object.</summary>
[CxdiPlugin("cxdi.simulate-tool", "1.0.0", Description = "cxdi simulate: write a simulated 2D/3D CXDI pattern (or a time-resolved series of 2D frames, --series N --motion drift) with mask and ground truth.")]
public sealed class SimulateTool : ICliTool
{
    /// <inheritdoc />
    public Type OptionsType => typeof(SimulateToolOptions);

    /// <inheritdoc />
    public string Command => "simulate";

    /// <inheritdoc />
    public int Run(PluginOptions options, TextWriter output, StepContext context)
    {
        var o = (SimulateToolOptions)options;
        using var backend = context.Plugins?.CreateBackend(context.Backend) ?? new CpuComputeBackend(Fft.FftPreference.Auto, 0);
        var data = Simulator.Simulate(o, backend);
        data.Provenance = data.Provenance.WithStep(new AppliedStep("cxdi.simulate", "1.0.0", SimulateReader.Describe(o)));
        IReadOnlyList<string> files;
        if (context.Output is { } sink)
        {
            files = sink.Write(data, o.Name);
        }
        else if (context.Plugins is { } plugins)
        {
            var (writer, writerOptions) = plugins.Resolve<IDataWriter>(o.Writer);
            if (!writer.CanWrite(data))
            {
                throw new PluginNotFoundException(o.Writer, $"writer: {o.Writer} cannot write diffraction data", "use --writer cxdi.cxi");
            }

            if (File.Exists(o.Out))
            {
                throw new InvalidInputException(o.Out, "--out is a file, not a directory", "give a directory for the simulated files (it is created when missing)");
            }

            Directory.CreateDirectory(o.Out);
            files = writer.Write(data, Path.Combine(o.Out, o.Name), writerOptions, context);
        }
        else
        {
            output.WriteLine("simulate: no writer available (run it through the cxdi host)");
            return 2;
        }

        long masked = data.Mask.Count(m => m != 0);
        output.WriteLine($"simulated {data.Shape} ({o.Photons:G3} photons, {masked} masked pixels, seed {o.Seed})");
        foreach (var file in files)
        {
            output.WriteLine(file);
        }

        return 0;
    }
}
