using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Assembly;

/// <summary>Options of <see cref="AssembleTool"/>: those of <c>cxdi.assemble</c> plus input, output and benchmark settings.</summary>
public sealed record AssembleToolOptions : AssembleOptions
{
    /// <summary>The rotation series file.</summary>
    [Description("Rotation series (frames × rows × columns): .edf stack, .npy, file.h5:/path, .tif stack. Not needed with --benchmark.")]
    public string? Input { get; init; }

    /// <summary>Reader id; default from the extension.</summary>
    [Description("Reader plugin id for the input (esrf.edf, numpy.npy, cxi.hdf5, tiff); default from the file extension.")]
    public string? Reader { get; init; }

    /// <summary>Output file stem.</summary>
    [Description("Output path without extension (the writer adds its own), e.g. out/volume.")]
    public string Output { get; init; } = "assembled";

    /// <summary>Writer id.</summary>
    [Description("Writer plugin id for the volume, e.g. cxdi.cxi.")]
    public string Writer { get; init; } = "cxdi.cxi";

    /// <summary>Time a synthetic series instead of reading one.</summary>
    [Description("Assemble a synthetic series (benchmark_frames frames of benchmark_pixels², into size³ voxels, default 256) and print the time; no input or output.")]
    public bool Benchmark { get; init; }

    /// <summary>Frames of the synthetic series.</summary>
    [Description("Frames of the synthetic benchmark series (over 180°).")]
    [Range(1, 100000)]
    public int BenchmarkFrames { get; init; } = 181;

    /// <summary>Pixels per side of the synthetic frames.</summary>
    [Description("Pixels per side of the synthetic benchmark frames.")]
    [Range(2, 16384)]
    public int BenchmarkPixels { get; init; } = 512;

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        foreach (var p in base.Validate())
        {
            yield return p;
        }

        if (!Benchmark && string.IsNullOrWhiteSpace(Input))
        {
            yield return new OptionProblem(nameof(Input), "give the rotation series with --input FILE (or run --benchmark)");
        }
    }
}

/// <summary><c>cxdi assemble</c>: assembles a rotation series file into a 3D volume and writes it, or times a synthetic series with <c>--benchmark</c>.</summary>
[CxdiPlugin("cxdi.assemble.cli", "1.0.0", Description = "Assemble a 2D rotation series into a 3D volume (or time a synthetic one).")]
public sealed class AssembleTool : ICliTool
{
    /// <inheritdoc />
    public Type OptionsType => typeof(AssembleToolOptions);

    /// <inheritdoc />
    public string Command => "assemble";

    /// <inheritdoc />
    public int Run(PluginOptions options, TextWriter output, StepContext context)
    {
        var o = (AssembleToolOptions)options;
        if (o.Benchmark)
        {
            var result = AssemblyBenchmark.Run(o.BenchmarkFrames, o.BenchmarkPixels, o.Size ?? 256, o.Threads, o.OffsetCorrection, context.Cancellation);
            output.WriteLine(result.ToString());
            return 0;
        }

        var input = ArrayFiles.Read(context, o.Input!, o.Reader, "--input");
        var volume = new AssembleStep().Apply(input, o, context);
        var (writer, writerOptions) = context.Plugins!.Resolve<IDataWriter>(o.Writer);
        if (!writer.CanWrite(volume))
        {
            throw new WorkflowShapeException($"writer {o.Writer} cannot write a 3D diffraction volume", "choose another --writer, e.g. cxdi.cxi");
        }

        var files = writer.Write(volume, o.Output, writerOptions, context);
        output.WriteLine(((Dictionary<string, object>)volume.Findings["cxdi.assemble"])["message"]);
        foreach (var f in files)
        {
            output.WriteLine($"wrote {f}");
        }

        return 0;
    }
}
