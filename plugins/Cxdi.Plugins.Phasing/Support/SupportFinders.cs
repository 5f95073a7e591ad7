using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Plugins.Phasing.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Phasing.Support;

/// <summary>Options of <c>cxdi.support.autocorrelation</c>.</summary>
public sealed record AutocorrelationSupportOptions : PluginOptions
{
    /// <summary>Relative threshold.</summary>
    [Description("Fraction of the autocorrelation maximum above which pixels are in the support; lower is looser (the autocorrelation is twice the object's extent).")]
    [Range(1e-4, 1.0)]
    public double Threshold { get; init; } = 0.1;

    /// <summary>Blur.</summary>
    [Description("Gaussian σ applied to the autocorrelation amplitude before thresholding.")]
    [Unit("px")]
    [Range(0.0, 100.0)]
    public double Sigma { get; init; } = 1;
}

/// <summary>Starting support from the thresholded, blurred autocorrelation |IFT(I)| (unknown pixels filled from the autocorrelation's finite extent, not counted as 0).</summary>
[CxdiPlugin("cxdi.support.autocorrelation", "1.0.0", Description = "Initial support from the blurred, thresholded autocorrelation of the pattern.")]
public sealed class AutocorrelationSupportFinder : SupportFinderBase<AutocorrelationSupportOptions>
{
    /// <inheritdoc />
    protected override byte[] FindSupport(DiffractionData data, AutocorrelationSupportOptions options, StepContext context)
    {
        using var backend = context.Plugins?.CreateBackend(context.Backend) ?? new CpuComputeBackend(Fft.FftPreference.Auto, 0);
        var support = ArrayTools.AutocorrelationSupport(data, backend, options.Threshold, options.Sigma);
        var count = ArrayTools.Count(support);
        if (count == 0)
        {
            throw new SupportTooSmallException(0, data.Shape.Length, 0);
        }

        return support;
    }
}

/// <summary>A geometric shape.</summary>
public enum SupportShape
{
    /// <summary>Disc (ball in 3D).</summary>
    Circle,

    /// <summary>Square (cube in 3D).</summary>
    Square,
}

/// <summary>Options of <c>cxdi.support.shape</c>.</summary>
public sealed record ShapeSupportOptions : PluginOptions
{
    /// <summary>Shape.</summary>
    [Description("circle (ball in 3D) or square (cube in 3D), centred in the array.")]
    public SupportShape Shape { get; init; } = SupportShape.Circle;

    /// <summary>Size.</summary>
    [Description("Diameter of the circle or side of the square; a loose support (1.2-1.5x the object) converges best.")]
    [Unit("px")]
    [Positive]
    public double Size { get; init; } = 64;
}

/// <summary>Starting support of a given shape and size, centred.</summary>
[CxdiPlugin("cxdi.support.shape", "1.0.0", Description = "Initial support: a centred circle/ball or square/cube of given size.")]
public sealed class ShapeSupportFinder : SupportFinderBase<ShapeSupportOptions>
{
    /// <inheritdoc />
    protected override byte[] FindSupport(DiffractionData data, ShapeSupportOptions options, StepContext context)
    {
        var support = options.Shape == SupportShape.Circle ? ArrayTools.Disc(data.Shape, options.Size / 2) : ArrayTools.Square(data.Shape, options.Size);
        if (ArrayTools.Count(support) == 0)
        {
            throw new SupportTooSmallException(0, data.Shape.Length, 0);
        }

        return support;
    }
}

/// <summary>Options of <c>cxdi.support.file</c>.</summary>
public sealed record FileSupportOptions : PluginOptions
{
    /// <summary>Support file.</summary>
    [Description("File holding the support array (same shape as the data; non-zero inside), e.g. an EDF or CXI file; file.h5:/path selects a dataset. A relative path is tried from the current directory, then beside the input data file.")]
    [Required]
    public string Path { get; init; } = "";

    /// <summary>Reader id.</summary>
    [Description("Reader plugin for the file (e.g. esrf.edf); empty = detect it from the file's content.")]
    public string Reader { get; init; } = "";

    /// <summary>Flip rows.</summary>
    [Description("Flip the support vertically (reverse the rows), as done to the data by cxdi.flip with axis y.")]
    public bool FlipY { get; init; }

    /// <summary>Threshold.</summary>
    [Description("Values above this are inside the support (applied after the blur when sigma > 0, to the blurred 0/1 support).")]
    public double Threshold { get; init; }

    /// <summary>Blur.</summary>
    [Description("Gaussian σ that loosens the support: the 0/1 support is blurred, then thresholded (PyNX's logo recipe: sigma 4, threshold 0.2); 0 keeps it as read.")]
    [Unit("px")]
    [Range(0.0, 100.0)]
    public double Sigma { get; init; }
}

/// <summary>Starting support read from a file through a reader plugin.</summary>
[CxdiPlugin("cxdi.support.file", "1.0.0", Description = "Initial support read from a file (any format a reader plugin understands).")]
public sealed class FileSupportFinder : SupportFinderBase<FileSupportOptions>
{
    /// <inheritdoc />
    protected override byte[] FindSupport(DiffractionData data, FileSupportOptions options, StepContext context)
    {
        var plugins = context.Plugins ?? throw new PluginNotFoundException(options.Reader, "cxdi.support.file: no plugin host to read the support file with", "run it inside a cxdi workflow");
        var source = Locate(options.Path, data);

        var readerId = options.Reader;
        if (string.IsNullOrWhiteSpace(readerId))
        {
            readerId = DetectReader(source.File);
        }

        var (reader, readerOptions) = plugins.Resolve<IDataReader>(readerId);
        var read = reader.Read(source, readerOptions, context);
        if (read.Shape != data.Shape)
        {
            throw new InvalidInputException(options.Path, $"support is {read.Shape} but the data are {data.Shape}", "use a support of the data's shape (bin or crop both alike)");
        }

        var shape = data.Shape;
        var support = new byte[shape.Length];
        for (var z = 0; z < shape.Nz; z++)
        {
            for (var y = 0; y < shape.Ny; y++)
            {
                var sy = options.FlipY ? shape.Ny - 1 - y : y;
                for (var x = 0; x < shape.Nx; x++)
                {
                    var src = (((long)z * shape.Ny) + sy) * shape.Nx + x;
                    support[(((long)z * shape.Ny) + y) * shape.Nx + x] = read.Intensity[src] > options.Threshold ? (byte)1 : (byte)0;
                }
            }
        }

        if (options.Sigma > 0)
        {
            var blurred = support.Select(b => (float)b).ToArray();
            ArrayTools.GaussianBlur(blurred, shape, options.Sigma);
            for (var i = 0; i < support.Length; i++)
            {
                support[i] = blurred[i] > options.Threshold ? (byte)1 : (byte)0;
            }
        }

        if (ArrayTools.Count(support) == 0)
        {
            throw new InvalidInputException(options.Path, $"no value above {options.Threshold}: the support is empty", "check the file or lower the threshold");
        }

        return support;
    }

    /// <summary>The support file: the path as given (absolute or from the current directory), else beside one of the data's source files.</summary>
    internal static DataPath Locate(string path, DiffractionData data)
    {
        var source = DataPath.Parse(path);
        if (File.Exists(source.File))
        {
            return source;
        }

        if (!Path.IsPathRooted(source.File))
        {
            foreach (var input in data.Provenance.Sources)
            {
                var directory = Path.GetDirectoryName(input.Path);
                var candidate = directory is null ? null : DataPath.Parse(Path.Combine(directory, path));
                if (candidate is not null && File.Exists(candidate.File))
                {
                    return candidate;
                }
            }
        }

        throw new InvalidInputException(path, "support file not found (looked in the current directory and beside the input data)", "check the path option of cxdi.support.file");
    }

    private static string DetectReader(string file)
    {
        var head = new byte[4096];
        int length;
        using (var stream = File.OpenRead(file))
        {
            length = stream.Read(head, 0, head.Length);
        }

        var text = System.Text.Encoding.ASCII.GetString(head, 0, Math.Min(length, 64));
        if (text.TrimStart().StartsWith('{'))
        {
            return "esrf.edf";
        }

        if (length >= 8 && head[0] == 0x89 && head[1] == (byte)'H' && head[2] == (byte)'D' && head[3] == (byte)'F')
        {
            return "cxdi.cxi";
        }

        throw new UnsupportedFormatException(file, "cannot tell the support file's format from its content", "set the reader option of cxdi.support.file (e.g. esrf.edf)");
    }
}
