using System.Globalization;
using System.Security.Cryptography;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Sdk.Readers;

/// <summary>
/// Shared reading pipeline of array readers, the starting point of a facility's reader plugin: the format reads headers
/// (<see cref="ReadHeader"/>) and a frame range (<see cref="ReadArray"/>); this base turns that into
/// <see cref="DiffractionData"/> — frame selection and sums, a CXI flag mask from the file, a separate mask file
/// (<see cref="MaskSources"/>), NaN/Inf/negative values flagged <see cref="MaskFlags.Invalid"/> (counted in the metadata),
/// geometry overrides and the source file's SHA-256 in the provenance.
/// </summary>
/// <typeparam name="TOptions">Options record of the reader.</typeparam>
public abstract class ArrayReaderBase<TOptions> : DataReaderBase<TOptions>, IArraySource
    where TOptions : PluginOptions, IArrayReadOptions, new()
{
    /// <summary>Metadata key: number of NaN values found (flagged invalid, set to 0).</summary>
    public const string NanCountKey = "invalid_nan_count";

    /// <summary>Metadata key: number of ±Inf values found (flagged invalid, set to 0).</summary>
    public const string InfCountKey = "invalid_inf_count";

    /// <summary>Metadata key: number of negative values found (flagged invalid, value kept).</summary>
    public const string NegativeCountKey = "invalid_negative_count";

    /// <summary>The readers that may read a separate mask file (the <c>mask</c> option), tried in order by content; by default this reader alone.</summary>
    protected virtual IReadOnlyList<IArraySource> MaskSources => [this];

    /// <summary>The mask file formats <see cref="MaskSources"/> read, for the hint when none recognises a mask file (e.g. "EDF or TIFF").</summary>
    protected virtual string MaskFormats => "a file in the data's format";

    /// <summary>Reads the stored dimensions and element type without reading the data; validates the header against the file.</summary>
    protected abstract ArrayHeader ReadHeader(DataPath source, TOptions options);

    /// <summary>Reads <paramref name="frames"/> of a 3D array (or the whole 2D array when <paramref name="frames"/> is null).</summary>
    protected abstract ArrayData ReadArray(DataPath source, TOptions options, ArrayHeader header, FrameRange? frames, CancellationToken cancellation);

    /// <inheritdoc />
    protected override DataSpec Probe(DataPath source, TOptions options)
    {
        ReaderErrors.RequireFile(source.File);
        var header = Guarded(source, () => ReadHeader(source, options));
        var dims = Normalise(source, header.Dims);
        var frames = SelectFrames(source, dims, options);
        Shape shape = dims.Length == 2 || options.SumFrames
            ? Shape.Of((int)dims[^2], (int)dims[^1])
            : Shape.Of(frames!.Value.Count, (int)dims[1], (int)dims[2]);
        if (shape.Rank == 3 && shape.Nz == 1)
        {
            shape = Shape.Of(shape.Ny, shape.Nx);
        }

        return new DataSpec(DataSpace.Detector, shape, IsComplex: false);
    }

    /// <inheritdoc />
    protected override DiffractionData Read(DataPath source, TOptions options, StepContext context)
    {
        ReaderErrors.RequireFile(source.File);
        var header = Guarded(source, () => ReadHeader(source, options));
        var dims = Normalise(source, header.Dims);
        var frames = SelectFrames(source, dims, options);
        var array = Guarded(source, () => ReadArray(source, options, header, frames, context.Cancellation));
        context.Cancellation.ThrowIfCancellationRequested();

        var ny = (int)dims[^2];
        var nx = (int)dims[^1];
        var nz = frames?.Count ?? 1;
        var frameLength = (long)ny * nx;
        if (array.Count != nz * frameLength)
        {
            throw new InvalidInputException(source.ToString(), $"read {array.Count} values where the header declares {nz}x{ny}x{nx}", "the file is inconsistent");
        }

        var values = array.ToFloat();
        var mask = ExpandMask(source, array.Mask, nz, frameLength);
        if (options.Mask is { Length: > 0 } maskSpec)
        {
            var fromFile = MaskFiles.Load(maskSpec, source, nz, ny, nx, MaskSources, MaskFormats, context.Cancellation);
            for (var i = 0; i < mask.Length; i++)
            {
                mask[i] |= fromFile[i];
            }
        }

        var metadata = new Dictionary<string, object>(array.Metadata, StringComparer.Ordinal)
        {
            ["element_type"] = ElementTypes.Name(array.Type),
            ["stored_shape"] = string.Join("x", header.Dims),
        };
        if (frames is { } range)
        {
            metadata["first_frame"] = range.First;
            metadata["frame_count"] = range.Count;
        }

        FlagInvalid(values, mask, metadata);

        Shape shape;
        if (nz > 1 && options.SumFrames)
        {
            (values, mask) = SumFrames(values, mask, nz, frameLength);
            metadata["summed_frames"] = nz;
            shape = Shape.Of(ny, nx);
        }
        else
        {
            shape = nz > 1 ? Shape.Of(nz, ny, nx) : Shape.Of(ny, nx);
        }

        var provenance = Provenance.Empty.WithSource(new SourceFile(Path.GetFullPath(source.File), Sha256(source.File)));
        if (options.Mask is { Length: > 0 } maskPath)
        {
            var maskFile = MaskFiles.ResolveFile(maskPath, source);
            provenance = provenance.WithSource(new SourceFile(Path.GetFullPath(maskFile), Sha256(maskFile)));
        }

        var geometry = array.Geometry with
        {
            PixelSizeX = options.PixelSize ?? array.Geometry.PixelSizeX,
            PixelSizeY = options.PixelSize ?? array.Geometry.PixelSizeY,
            DetectorDistance = options.DetectorDistance ?? array.Geometry.DetectorDistance,
            Wavelength = options.Wavelength ?? array.Geometry.Wavelength,
        };

        var groundTruth = array.GroundTruth is { } truth && truth.LongLength == shape.Length ? truth : null;
        return new DiffractionData(shape, values, mask)
        {
            Geometry = geometry,
            Provenance = provenance,
            Metadata = metadata,
            GroundTruth = groundTruth,
        };
    }

    /// <inheritdoc />
    ArrayData IArraySource.ReadAll(DataPath source, CancellationToken cancellation)
    {
        ReaderErrors.RequireFile(source.File);
        var options = new TOptions();
        var header = Guarded(source, () => ReadHeader(source, options));
        var dims = Normalise(source, header.Dims);
        FrameRange? frames = dims.Length == 3 ? new FrameRange(0, (int)dims[0]) : null;
        return Guarded(source, () => ReadArray(source, options, header, frames, cancellation));
    }

    /// <summary>Runs a format's code, turning I/O and decoding failures on a damaged file into <see cref="InvalidInputException"/>.</summary>
    protected static T Guarded<T>(DataPath source, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or FormatException or OverflowException or ArgumentException or IndexOutOfRangeException)
        {
            var first = ex.Message.Split('\n')[0].Trim();
            throw new InvalidInputException(source.ToString(), $"cannot be read: {first}", "the file is damaged, truncated or not in this format", ex);
        }
    }

    /// <summary>Lower-case hex SHA-256 of a whole file.</summary>
    public static string Sha256(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Drops leading singleton axes beyond the third and checks the result is 2D or 3D with int-sized axes (see <see cref="ReaderErrors.NormaliseDims"/>).</summary>
    protected static long[] Normalise(DataPath source, long[] stored) => ReaderErrors.NormaliseDims(source, stored);

    private static FrameRange? SelectFrames(DataPath source, long[] dims, IArrayReadOptions options)
    {
        if (dims.Length == 2)
        {
            if (options.FirstFrame != 0 || options.FrameCount is > 1)
            {
                throw new InvalidInputException(source.ToString(), $"first_frame = {options.FirstFrame}, frame_count = {options.FrameCount} ask for frames of a single 2D image", "remove first_frame and frame_count");
            }

            return null;
        }

        var nz = (int)dims[0];
        if (options.FirstFrame < 0 || options.FirstFrame >= nz)
        {
            throw new InvalidInputException(source.ToString(), $"first_frame = {options.FirstFrame} is outside the stack of {nz} frames", $"use 0 … {nz - 1}");
        }

        var count = options.FrameCount ?? (nz - options.FirstFrame);
        if (count < 1 || options.FirstFrame + (long)count > nz)
        {
            throw new InvalidInputException(source.ToString(), $"frame_count = {count} from first_frame = {options.FirstFrame} runs past the stack of {nz} frames", $"use at most {nz - options.FirstFrame}");
        }

        return new FrameRange(options.FirstFrame, count);
    }

    private static uint[] ExpandMask(DataPath source, uint[]? fileMask, int nz, long frameLength)
    {
        var total = nz * frameLength;
        if (fileMask is null)
        {
            return new uint[total];
        }

        if (fileMask.LongLength == total)
        {
            return fileMask;
        }

        if (fileMask.LongLength == frameLength)
        {
            var mask = new uint[total];
            for (var z = 0; z < nz; z++)
            {
                fileMask.CopyTo(mask, z * frameLength);
            }

            return mask;
        }

        throw new InvalidInputException(source.ToString(), $"the mask stored in the file holds {fileMask.LongLength} pixels, the data {total}", "the file's mask and data shapes disagree; pass a matching mask with the mask option");
    }

    private static void FlagInvalid(float[] values, uint[] mask, Dictionary<string, object> metadata)
    {
        long nan = 0, inf = 0, negative = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            if (float.IsNaN(v))
            {
                nan++;
                values[i] = 0;
                mask[i] |= (uint)MaskFlags.Invalid;
            }
            else if (float.IsInfinity(v))
            {
                inf++;
                values[i] = 0;
                mask[i] |= (uint)MaskFlags.Invalid;
            }
            else if (v < 0)
            {
                negative++;
                mask[i] |= (uint)MaskFlags.Invalid;
            }
        }

        metadata[NanCountKey] = nan;
        metadata[InfCountKey] = inf;
        metadata[NegativeCountKey] = negative;
    }

    private static (float[] Values, uint[] Mask) SumFrames(float[] values, uint[] mask, int nz, long frameLength)
    {
        var sum = new float[frameLength];
        var flags = new uint[frameLength];
        for (long i = 0; i < frameLength; i++)
        {
            double acc = 0;
            uint f = 0;
            for (var z = 0; z < nz; z++)
            {
                var k = (z * frameLength) + i;
                acc += values[k];
                f |= mask[k];
            }

            sum[i] = (float)acc;
            flags[i] = f;
        }

        return (sum, flags);
    }

    /// <summary>Parses a header number with the invariant culture, or null.</summary>
    protected static double? ParseDouble(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;
}

/// <summary>A reader that can hand over a whole array with default options (used to read mask files).</summary>
public interface IArraySource
{
    /// <summary>True when the reader recognises the file.</summary>
    bool CanRead(string path, ReadOnlySpan<byte> head);

    /// <summary>Reads the whole array with default options.</summary>
    ArrayData ReadAll(DataPath source, CancellationToken cancellation);
}
