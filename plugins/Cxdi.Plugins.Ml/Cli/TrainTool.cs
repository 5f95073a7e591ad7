using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Inpainting;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Simulation;
using Cxdi.Plugins.Ml.Support;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Cli;

/// <summary>Which model <c>cxdi train</c> trains.</summary>
public enum ModelKind
{
    /// <summary>The patch-regression denoiser of <c>cxdi.denoise.tree</c>.</summary>
    Denoiser,

    /// <summary>The beamstop/gap predictor of <c>cxdi.inpaint</c>.</summary>
    Inpaint,

    /// <summary>The support classifier of <c>cxdi.support.ml</c>.</summary>
    Support,
}

/// <summary>Options of <c>cxdi train</c>.</summary>
public sealed record TrainOptions : PluginOptions
{
    /// <summary>Model kind.</summary>
    [Description("What to train: denoiser (cxdi.denoise.tree), inpaint (cxdi.inpaint) or support (cxdi.support.ml).")]
    public ModelKind Kind { get; init; } = ModelKind.Denoiser;

    /// <summary>Output file.</summary>
    [Description("The model zip to write (with provenance.json inside); the workflow steps load it with their model option.")]
    [Required]
    public string Model { get; init; } = "";

    /// <summary>ONNX export.</summary>
    [Description("Also export the trained model as ONNX to this file (for cxdi.denoise.onnx or other runtimes); empty = none.")]
    public string Onnx { get; init; } = "";

    /// <summary>Data to match.</summary>
    [Description("A measured pattern to match (shape, mask, photons, object size from its autocorrelation); empty = use size, photons, object_size and beamstop.")]
    public string Data { get; init; } = "";

    /// <summary>Reader of the data file.</summary>
    [Description("Reader plugin for --data; empty = by extension (.cxi/.h5 cxi.hdf5, .edf esrf.edf, .npy/.npz numpy.npy, .tif tiff).")]
    public string Reader { get; init; } = "";

    /// <summary>Pattern size without data.</summary>
    [Description("Side of the square training patterns when no data are given.")]
    [Unit("px")]
    [Range(16, 4096)]
    public int Size { get; init; } = 256;

    /// <summary>Photons without data.</summary>
    [Description("Photons over the measured pixels of each training pattern; 0 = the data's measured sum with --data, else 1e6 (1e8 with --dims 3).")]
    [Unit("photons")]
    [Range(0.0, 1e15)]
    public double Photons { get; init; }

    /// <summary>Object size.</summary>
    [Description("Object diameter in object-space pixels (oversampling = size / object_size); 0 = estimated from the autocorrelation with --data, else size / 4.")]
    [Unit("px")]
    [Range(0.0, 1e5)]
    public double ObjectSize { get; init; }

    /// <summary>Beamstop radius without data.</summary>
    [Description("Radius of a centred beamstop mask when no data are given (0 = none; inpaint needs one).")]
    [Unit("px")]
    [Range(0.0, 1e4)]
    public double Beamstop { get; init; }

    /// <summary>Training patterns.</summary>
    [Description("Simulated training patterns.")]
    [Range(1, 1000)]
    public int Patterns { get; init; } = 8;

    /// <summary>Training rows.</summary>
    [Description("Training samples (patches or pixels) drawn from all patterns together.")]
    [Range(100, 10_000_000)]
    public int Samples { get; init; } = 100_000;

    /// <summary>Trees.</summary>
    [Description("Boosted trees.")]
    [Range(1, 5000)]
    public int Trees { get; init; } = 100;

    /// <summary>Leaves.</summary>
    [Description("Leaves per tree.")]
    [Range(2, 1024)]
    public int Leaves { get; init; } = 31;

    /// <summary>Seed.</summary>
    [Description("Seed of the simulations (pattern k uses seed·1000 + k, validation seed·1000 + 999).")]
    [Range(0, 1_000_000)]
    public int Seed { get; init; } = 1;

    /// <summary>2D or 3D.</summary>
    [Description("2 trains the 2D model of the kind; 3 trains the 3D denoiser of cxdi.denoise.linear3d (a linear filter per photon level, least squares; kind denoiser only; trees and leaves do not apply) on cubes of --size or volumes matched to --data; 0 = from --data's shape, else 2.")]
    [Range(0, 3)]
    public int Dims { get; init; }

    /// <summary>3D stencil half-width.</summary>
    [Description("With --dims 3: half-width R of the filter's (2R+1)³ stencil, 1 to 3.")]
    [Unit("px")]
    [Range(1, 3)]
    public int Radius { get; init; } = 2;
}

/// <summary><c>cxdi train --kind denoiser --model denoiser.zip [--data FILE]</c>: trains an ML model on simulations and writes it with its provenance.</summary>
[CxdiPlugin("cxdi.ml.train", "1.0.0", Description = "cxdi train: train the ML denoiser (2D, or the 3D filter with --dims 3), inpainting or support model on simulated patterns matched to data or to given parameters.")]
public sealed class TrainTool : ICliTool
{
    /// <inheritdoc />
    public Type OptionsType => typeof(TrainOptions);

    /// <inheritdoc />
    public string Command => "train";

    /// <inheritdoc />
    public bool WritesOutput => false;

    /// <inheritdoc />
    public int Run(PluginOptions options, TextWriter output, StepContext context)
    {
        var o = (TrainOptions)options;
        if (Directory.Exists(o.Model))
        {
            throw new InvalidInputException(o.Model, "--model is a directory, not a file", "give the path of the model zip to write, e.g. denoiser.zip");
        }

        if (o.Dims == 1)
        {
            throw new InvalidInputException("--dims", "1 is not a dimension this tool trains for", "give 2 or 3 (or 0: from --data's shape)");
        }

        var data = o.Data.Length > 0 ? ReadData(o, context) : null;
        var dims = o.Dims > 0 ? o.Dims : data?.Shape.Rank ?? 2;
        if (data is not null && data.Shape.Rank != dims)
        {
            throw new InvalidInputException(o.Data, $"is {data.Shape.Rank}D ({data.Shape}) but --dims {dims} was asked", "leave --dims out to follow the data");
        }

        if (dims == 3)
        {
            return Run3D(o, data, output, context);
        }

        SimulationSpec spec;
        if (data is not null)
        {
            var match = new DataMatch { Photons = o.Photons, ObjectSize = o.ObjectSize };
            spec = match.Match(data);
        }
        else
        {
            spec = new SimulationSpec(o.Size, o.Size, o.ObjectSize > 0 ? o.ObjectSize : o.Size / 4.0, o.Photons > 0 ? o.Photons : 1e6, BeamstopMask(o.Size, o.Beamstop));
        }

        var plan = new TrainingPlan(spec, o.Patterns, o.Samples, o.Trees, o.Leaves, o.Seed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training a {o.Kind.ToString().ToLowerInvariant()} model on {o.Patterns} simulated {spec.Ny}x{spec.Nx} patterns ({spec.Photons:G3} photons, object {spec.ObjectSize:F1} px, oversampling {Math.Max(spec.Ny, spec.Nx) / spec.ObjectSize:F2})"));
        var ml = new MLContext(o.Seed);
        var progress = new BarProgress(output);
        var model = o.Kind switch
        {
            ModelKind.Denoiser => DenoiserTraining.Train(ml, plan, progress, context.Cancellation),
            ModelKind.Inpaint => InpaintTraining.Train(ml, plan, progress, context.Cancellation),
            _ => SupportTraining.Train(ml, plan, progress, context.Cancellation),
        };
        model.Save(ml, o.Model);
        output.WriteLine($"wrote {Path.GetFullPath(o.Model)}");
        if (o.Onnx.Length > 0)
        {
            Onnx.OnnxExport.Write(ml, model, o.Onnx);
            output.WriteLine($"wrote {Path.GetFullPath(o.Onnx)}");
        }
        return 0;
    }

    /// <summary>Trains the linear 3D denoiser (kind denoiser only; no ONNX export).</summary>
    private static int Run3D(TrainOptions o, DiffractionData? data, TextWriter output, StepContext context)
    {
        if (o.Kind != ModelKind.Denoiser)
        {
            throw new InvalidInputException("--kind", $"{o.Kind.ToString().ToLowerInvariant()} models are 2D only; in 3D only the denoiser is trained", "use --kind denoiser with --dims 3, or --dims 2");
        }

        if (o.Onnx.Length > 0)
        {
            throw new InvalidInputException(o.Onnx, "the 3D filter has no ONNX export (the ONNX contract is the 2D 5x5 patch features)", "leave --onnx out with --dims 3");
        }

        var spec = data is not null
            ? LinearDenoiser3DOptions.Match(data, o.Photons, o.ObjectSize)
            : new VolumeSpec(o.Size, o.Size, o.Size, o.ObjectSize > 0 ? o.ObjectSize : o.Size / 4.0, o.Photons > 0 ? o.Photons : 1e8, BeamstopBall(o.Size, o.Beamstop));
        var plan = new Linear3DPlan(spec, o.Patterns, o.Samples, o.Radius, o.Seed);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training a 3D denoiser (linear filter, radius {o.Radius}) on {o.Patterns} simulated {spec.Nz}x{spec.Ny}x{spec.Nx} volumes ({spec.Photons:G3} photons, object {spec.ObjectSize:F1} px, oversampling {Math.Max(spec.Nz, Math.Max(spec.Ny, spec.Nx)) / spec.ObjectSize:F2})"));
        var model = Linear3DTraining.Train(plan, new BarProgress(output), context.Cancellation);
        model.Save(o.Model);
        output.WriteLine($"wrote {Path.GetFullPath(o.Model)}");
        return 0;
    }

    private static uint[]? BeamstopBall(int size, double radius)
    {
        if (radius <= 0)
        {
            return null;
        }

        var mask = new uint[(long)size * size * size];
        var c = size / 2;
        for (var z = 0; z < size; z++)
        {
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    if (((z - c) * (z - c)) + ((y - c) * (y - c)) + ((x - c) * (x - c)) <= radius * radius)
                    {
                        mask[(((long)z * size) + y) * size + x] = (uint)MaskFlags.Beamstop;
                    }
                }
            }
        }

        return mask;
    }

    private static uint[]? BeamstopMask(int size, double radius)
    {
        if (radius <= 0)
        {
            return null;
        }

        var mask = new uint[size * size];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var dy = y - (size / 2);
                var dx = x - (size / 2);
                if ((dy * dy) + (dx * dx) <= radius * radius)
                {
                    mask[(y * size) + x] = (uint)MaskFlags.Beamstop;
                }
            }
        }

        return mask;
    }

    private static DiffractionData ReadData(TrainOptions o, StepContext context)
    {
        var plugins = context.Plugins ?? throw new PluginNotFoundException(o.Reader, "cxdi train --data needs the plugin host to read the file", "run it through cxdi");
        var source = DataPath.Parse(o.Data);
        if (!File.Exists(source.File))
        {
            throw new InvalidInputException(o.Data, "--data file not found", "check the path");
        }

        var readerId = o.Reader.Length > 0 ? o.Reader : Path.GetExtension(source.File).ToLowerInvariant() switch
        {
            ".cxi" or ".h5" or ".hdf5" or ".nxs" => "cxi.hdf5",
            ".edf" => "esrf.edf",
            ".npy" or ".npz" => "numpy.npy",
            ".tif" or ".tiff" => "tiff",
            _ => throw new InvalidInputException(o.Data, "cannot tell the reader from the file extension", "set --reader (e.g. cxi.hdf5, esrf.edf)"),
        };
        var (reader, readerOptions) = plugins.Resolve<IDataReader>(readerId);
        return reader.Read(source, readerOptions, context);
    }

    /// <summary>The matching rules of the workflow steps, reused for <c>--data</c>.</summary>
    private sealed record DataMatch : TrainedModelOptions;

    /// <summary>Prints a text progress bar line per training stage.</summary>
    private sealed class BarProgress(TextWriter output) : IProgress<(double Fraction, string Message)>
    {
        public void Report((double Fraction, string Message) value)
        {
            var filled = (int)Math.Round(Math.Clamp(value.Fraction, 0, 1) * 30);
            output.WriteLine($"[{new string('#', filled)}{new string('.', 30 - filled)}] {100 * value.Fraction,3:F0} % {value.Message}");
        }
    }
}
