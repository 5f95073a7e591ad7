using System.Runtime.InteropServices;
using Cxdi.Plugins.Formats.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Readers;
using Cxdi.Sdk.Roles;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace Cxdi.Plugins.Formats.Hdf5;

/// <summary>
/// Reads CXI 1.6 files and generic HDF5 (Eiger/NeXus, LIMA, BLISS): 2D frames or 3D stacks of any integer or float type,
/// chunked and compressed with deflate, shuffle, LZ4 (32004) or bitshuffle+LZ4 (32008); the CXI flag mask, geometry
/// (distance, pixel sizes, energy or wavelength, with their <c>units</c> attributes), tilt angles and a stored true object
/// (<c>/entry_1/image_1/data</c>, complex {r, i}).
/// </summary>
[CxdiPlugin("cxi.hdf5", "1.0.0", Description = "CXI / HDF5 (Eiger, LIMA, BLISS) with deflate, LZ4 and bitshuffle chunks")]
public sealed class Hdf5Reader : ArrayReaderBase<Hdf5Options>
{
    /// <inheritdoc />
    protected override IReadOnlyList<IArraySource> MaskSources => BuiltInReaders.ArraySources;

    /// <inheritdoc />
    protected override string MaskFormats => BuiltInReaders.MaskFormats;

    /// <summary>The datasets tried, in order, when no path is given.</summary>
    public static IReadOnlyList<string> DefaultDataPaths { get; } =
    [
        "/entry_1/data_1/data",
        "/entry_1/instrument_1/detector_1/data",
        "/entry/data/data",
        "/entry/data/data_000001",
        "/entry_0000/measurement/data",
        "/entry_0000/instrument/detector/data",
    ];

    private static readonly byte[] Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];

    static Hdf5Reader() => Hdf5Filters.EnsureRegistered();

    /// <inheritdoc />
    public override bool CanRead(string path, ReadOnlySpan<byte> head)
    {
        for (var at = 0; at + Signature.Length <= head.Length; at = at == 0 ? 512 : at * 2)
        {
            if (head.Slice(at, Signature.Length).SequenceEqual(Signature))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    protected override ArrayHeader ReadHeader(DataPath source, Hdf5Options options)
    {
        return Guard(source, () =>
        {
            using var file = Open(source.File);
            using var siblings = new SiblingFiles();
            var (path, dataset) = FindData(file, source, options, siblings);
            var type = ElementTypeOf(source, path, dataset);
            var dims = dataset.Space.Dimensions.Select(d => (long)d).ToArray();
            CheckSize(source, path, dataset, dims, type);
            var parts = Parts(file, source, options, path, dataset, siblings);
            if (parts.Count > 1)
            {
                dims = [parts.Sum(p => (long)p.Dataset.Space.Dimensions[0]), dims[1], dims[2]];
                ReaderErrors.CheckDeclaredSize($"{source.File}:{path}", dims, ElementTypes.SizeOf(type), available: null);
            }

            return new ArrayHeader(dims, type);
        });
    }

    /// <inheritdoc />
    protected override ArrayData ReadArray(DataPath source, Hdf5Options options, ArrayHeader header, FrameRange? frames, CancellationToken cancellation)
    {
        return Guard(source, () =>
        {
            using var file = Open(source.File);
            using var siblings = new SiblingFiles();
            var (path, dataset) = FindData(file, source, options, siblings);
            var where = $"{source.File}:{path}";
            var stored = dataset.Space.Dimensions;
            var type = ElementTypeOf(source, path, dataset);
            var parts = Parts(file, source, options, path, dataset, siblings);
            byte[] bytes;
            if (parts.Count == 1)
            {
                var (selection, memoryDims, count) = Hyperslab(stored, frames);
                bytes = new byte[count * ElementTypes.SizeOf(type)];
                ReadInto(dataset, type, bytes, selection, memoryDims);
            }
            else
            {
                bytes = ReadParts(parts, type, frames ?? new FrameRange(0, 1), cancellation);
            }

            cancellation.ThrowIfCancellationRequested();

            var normal = Normalise(source, header.Dims);
            long[] dims = frames is { } f ? [f.Count, normal[^2], normal[^1]] : [normal[^2], normal[^1]];
            var array = new ArrayData(dims, type, bytes)
            {
                HoldsFlags = IsFlagMask(path, type),
            };
            array.Metadata["hdf5.dataset"] = path;
            array.Metadata["hdf5.parts"] = (long)parts.Count;
            array.Metadata["hdf5.layout"] = dataset.Layout.Class.ToString().ToLowerInvariant();
            if (dataset.Layout.Class == H5DataLayoutClass.Chunked)
            {
                array.Metadata["hdf5.chunks"] = string.Join("x", dataset.Layout.Chunks.Take(stored.Length));
            }

            if (file.LinkExists("/cxi_version"))
            {
                array.Metadata["cxi_version"] = ReadScalar(file.Dataset("/cxi_version")) ?? 0;
            }

            array.Mask = ReadMask(file, source, options, normal, frames, where, array.Metadata);
            array.Geometry = ReadGeometry(file, path, options, frames, where);
            array.GroundTruth = ReadGroundTruth(file, path);
            return array;
        });
    }

    /// <summary>Reads a complex CXI image (compound {r, i} of float32 or float64) as <see cref="Complex32"/> values with its shape.</summary>
    internal static (Complex32[] Values, long[] Dims)? ReadComplex(NativeFile file, string path)
    {
        if (!file.LinkExists(path) || file.Get(path) is not IH5Dataset ds || ds.Type.Class != H5DataTypeClass.Compound)
        {
            return null;
        }

        var members = ds.Type.Compound.Members;
        if (members.Length != 2 || !members.Any(m => m.Name == "r") || !members.Any(m => m.Name == "i"))
        {
            return null;
        }

        var dims = ds.Space.Dimensions.Select(d => (long)d).ToArray();
        if (ds.Type.Size == 8)
        {
            var v = ds.Read<CxiComplex32[]>();
            return (v.Select(c => new Complex32(c.r, c.i)).ToArray(), dims);
        }

        var d = ds.Read<CxiComplex64[]>();
        return (d.Select(c => new Complex32((float)c.r, (float)c.i)).ToArray(), dims);
    }

    /// <summary>Opens a file for reading with PureHDF.</summary>
    internal static NativeFile Open(string file) => H5File.OpenRead(file);

    /// <summary>Reads a numeric scalar (or the first element of a 1-element dataset) as double; null when not numeric.</summary>
    internal static double? ReadScalar(IH5Dataset ds)
    {
        var count = ds.Space.Dimensions.Aggregate(1UL, (a, b) => a * b);
        if (count != 1)
        {
            return null;
        }

        return (ds.Type.Class, ds.Type.Size) switch
        {
            (H5DataTypeClass.FloatingPoint, 4) => ds.Read<float[]>()[0],
            (H5DataTypeClass.FloatingPoint, 8) => ds.Read<double[]>()[0],
            (H5DataTypeClass.FixedPoint, 1) => ds.Type.FixedPoint.IsSigned ? ds.Read<sbyte[]>()[0] : ds.Read<byte[]>()[0],
            (H5DataTypeClass.FixedPoint, 2) => ds.Type.FixedPoint.IsSigned ? ds.Read<short[]>()[0] : ds.Read<ushort[]>()[0],
            (H5DataTypeClass.FixedPoint, 4) => ds.Type.FixedPoint.IsSigned ? ds.Read<int[]>()[0] : ds.Read<uint[]>()[0],
            (H5DataTypeClass.FixedPoint, 8) => ds.Type.FixedPoint.IsSigned ? ds.Read<long[]>()[0] : ds.Read<ulong[]>()[0],
            _ => null,
        };
    }

    /// <summary>
    /// Throws when the file is shorter than the end-of-file address its superblock records, as the HDF5 library does
    /// ("truncated file"): a copy cut short otherwise surfaces as a missing dataset or an unreadable chunk.
    /// </summary>
    internal static void CheckComplete(string file)
    {
        var length = new FileInfo(file).Length;
        if (SuperblockEndOfFile(file) is { } end && end > length)
        {
            throw new InvalidInputException(file, $"is truncated or corrupt: it holds {length} bytes but its HDF5 superblock says {end}", "copy the file again (compare its size or checksum with the original); h5dump -H FILE shows what is still readable");
        }
    }

    /// <summary>The end-of-file address recorded by the superblock plus its base address; null when it cannot be parsed.</summary>
    private static long? SuperblockEndOfFile(string file)
    {
        using var stream = File.OpenRead(file);
        var buffer = new byte[128];
        for (long at = 0; at + Signature.Length <= stream.Length; at = at == 0 ? 512 : at * 2)
        {
            stream.Position = at;
            var n = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (n < Signature.Length || !buffer.AsSpan(0, Signature.Length).SequenceEqual(Signature))
            {
                continue;
            }

            var b = buffer.AsSpan(0, n);
            var version = b.Length > 8 ? b[8] : -1;
            int offsets, addresses;
            if (version is 0 or 1)
            {
                // Versions 0/1: size of offsets at byte 13; base, free-space, end-of-file addresses from byte 24 (28 for v1).
                offsets = b.Length > 13 ? b[13] : 0;
                addresses = version == 0 ? 24 : 28;
            }
            else if (version is 2 or 3)
            {
                // Versions 2/3: size of offsets at byte 9; base, extension, end-of-file addresses from byte 12.
                offsets = b.Length > 9 ? b[9] : 0;
                addresses = 12;
            }
            else
            {
                return null;
            }

            if (offsets is not (2 or 4 or 8) || addresses + (3 * offsets) > b.Length)
            {
                return null;
            }

            var baseAddress = ReadOffset(b.Slice(addresses, offsets));
            var end = ReadOffset(b.Slice(addresses + (2 * offsets), offsets));
            if (end == ulong.MaxValue || baseAddress == ulong.MaxValue)
            {
                return null;
            }

            var total = baseAddress + end;
            return total > long.MaxValue ? null : (long)total;
        }

        return null;
    }

    private static ulong ReadOffset(ReadOnlySpan<byte> bytes)
    {
        if (bytes.ToArray().All(x => x == 0xff))
        {
            return ulong.MaxValue;
        }

        ulong v = 0;
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            v = (v << 8) | bytes[i];
        }

        return v;
    }

    private static T Guard<T>(DataPath source, Func<T> body)
    {
        try
        {
            CheckComplete(source.File);
            return body();
        }
        catch (CxdiException)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            var first = ex.Message.Split('\n')[0].Trim();
            if (first.Contains("Byte order", StringComparison.OrdinalIgnoreCase))
            {
                throw new UnsupportedFormatException(source.ToString(), "holds big-endian values, which the HDF5 engine cannot convert", "rewrite the dataset little-endian, e.g. with h5py: f['x'] = f['y'][()].astype('<f4')");
            }

            if (first.Contains("filter", StringComparison.OrdinalIgnoreCase) || first.StartsWith("bitshuffle:", StringComparison.Ordinal) || first.StartsWith("lz4:", StringComparison.Ordinal))
            {
                throw new UnsupportedFormatException(source.ToString(), $"cannot decode the HDF5 data: {first}", "supported filters: deflate, shuffle, fletcher32, n-bit, scale-offset, LZ4 (32004), bitshuffle with LZ4 (32008)");
            }

            throw new InvalidInputException(source.ToString(), $"is not a readable HDF5 file or dataset: {first}", "check that the file is complete (h5dump -H FILE)", ex);
        }
    }

    private static (string Path, IH5Dataset Dataset) FindData(NativeFile file, DataPath source, Hdf5Options options, SiblingFiles siblings)
    {
        var requested = source.Inner ?? (string.IsNullOrWhiteSpace(options.Dataset) ? null : options.Dataset);
        if (requested is not null)
        {
            var path = requested.StartsWith('/') ? requested : "/" + requested;
            if (!file.LinkExists(path))
            {
                throw new InvalidInputException($"{source.File}:{path}", "no such dataset in the file", Suggest(file));
            }

            return file.Get(path) is IH5Dataset ds
                ? (path, ds)
                : throw new InvalidInputException($"{source.File}:{path}", "is a group, not a dataset", Suggest(file));
        }

        foreach (var path in DefaultDataPaths)
        {
            if (Exists(file, path) && file.Get(path) is IH5Dataset ds && ds.Space.Rank >= 2)
            {
                return (path, ds);
            }
        }

        if (siblings.OpenEigerData(source.File, 1) is { } eiger)
        {
            return (SiblingFiles.EigerLabel(source.File, 1), eiger);
        }

        var best = Walk(file, "", 0).Where(c => c.Dataset.Space.Rank >= 2 && IsNumeric(c.Dataset) && !IsMaskName(c.Path))
            .OrderByDescending(c => c.Dataset.Space.Dimensions.Aggregate(1.0, (a, b) => a * b))
            .FirstOrDefault();
        return best.Dataset is not null
            ? best
            : throw new InvalidInputException(source.File, "holds no 2D or 3D numeric dataset", "name the dataset as file.h5:/path or with the dataset option");
    }

    private static string Suggest(NativeFile file)
    {
        var found = Walk(file, "", 0).Where(c => c.Dataset.Space.Rank >= 2).Select(c => c.Path).Take(5).ToList();
        return found.Count == 0 ? "the file holds no 2D or 3D dataset" : "datasets in the file: " + string.Join(", ", found);
    }

    private static IEnumerable<(string Path, IH5Dataset Dataset)> Walk(IH5Group group, string prefix, int depth)
    {
        if (depth > 6)
        {
            yield break;
        }

        IEnumerable<IH5Object> children;
        try
        {
            children = group.Children().ToList();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            yield break;
        }

        foreach (var child in children)
        {
            var path = $"{prefix}/{child.Name}";
            if (child is IH5Dataset ds)
            {
                yield return (path, ds);
            }
            else if (child is IH5Group g)
            {
                foreach (var inner in Walk(g, path, depth + 1))
                {
                    yield return inner;
                }
            }
        }
    }

    private static bool Exists(NativeFile file, string path)
    {
        try
        {
            return file.LinkExists(path);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }

    private static bool IsMaskName(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        return name.Contains("mask", StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsNumeric(IH5Dataset ds) => ds.Type.Class is H5DataTypeClass.FixedPoint or H5DataTypeClass.FloatingPoint;

    private static ElementType ElementTypeOf(DataPath source, string path, IH5Dataset ds)
    {
        var where = $"{source.File}:{path}";
        var t = ds.Type;
        return (t.Class, t.Size) switch
        {
            (H5DataTypeClass.FloatingPoint, 4) => ElementType.Float32,
            (H5DataTypeClass.FloatingPoint, 8) => ElementType.Float64,
            (H5DataTypeClass.FixedPoint, 1) => t.FixedPoint.IsSigned ? ElementType.Int8 : ElementType.UInt8,
            (H5DataTypeClass.FixedPoint, 2) => t.FixedPoint.IsSigned ? ElementType.Int16 : ElementType.UInt16,
            (H5DataTypeClass.FixedPoint, 4) => t.FixedPoint.IsSigned ? ElementType.Int32 : ElementType.UInt32,
            (H5DataTypeClass.FixedPoint, 8) => t.FixedPoint.IsSigned ? ElementType.Int64 : ElementType.UInt64,
            (H5DataTypeClass.Enumerated, 1) => ElementType.Bool,
            (H5DataTypeClass.Compound, _) => throw new UnsupportedFormatException(where, "holds complex (compound) values; a diffraction intensity is real", "point at the measured intensity dataset, not a reconstructed image"),
            _ => throw new UnsupportedFormatException(where, $"holds {t.Class} values of {t.Size} bytes; supported: 8–64-bit integers, float32, float64", "convert the dataset to float32"),
        };
    }

    private static void CheckSize(DataPath source, string path, IH5Dataset ds, long[] dims, ElementType type)
    {
        var where = $"{source.File}:{path}";
        if (ds.Space.Type != H5DataspaceType.Simple)
        {
            throw new InvalidInputException(where, $"has a {ds.Space.Type.ToString().ToLowerInvariant()} dataspace, not an array", "point at a 2D or 3D dataset");
        }

        long? available = ds.Layout.Class == H5DataLayoutClass.Contiguous ? new FileInfo(source.File).Length : null;
        ReaderErrors.CheckDeclaredSize(where, dims, ElementTypes.SizeOf(type), available);
    }

    private static (Selection? Selection, ulong[] MemoryDims, long Count) Hyperslab(ulong[] stored, FrameRange? frames)
    {
        var rank = stored.Length;
        var starts = new ulong[rank];
        var blocks = (ulong[])stored.Clone();
        if (frames is { } f)
        {
            starts[rank - 3] = (ulong)f.First;
            blocks[rank - 3] = (ulong)f.Count;
        }

        var count = (long)blocks.Aggregate(1UL, (a, b) => a * b);
        Selection? selection = frames is null ? null : new HyperslabSelection(rank, starts, blocks);
        return (selection, [(ulong)count], count);
    }

    private static void ReadInto(IH5Dataset ds, ElementType type, Span<byte> bytes, Selection? selection, ulong[] memoryDims)
    {
        var native = (NativeDataset)ds;
        switch (type)
        {
            case ElementType.Float32: native.Read(MemoryMarshal.Cast<byte, float>(bytes), selection, null, memoryDims); break;
            case ElementType.Float64: native.Read(MemoryMarshal.Cast<byte, double>(bytes), selection, null, memoryDims); break;
            case ElementType.Int8: native.Read(MemoryMarshal.Cast<byte, sbyte>(bytes), selection, null, memoryDims); break;
            case ElementType.UInt8: case ElementType.Bool: native.Read(bytes, selection, null, memoryDims); break;
            case ElementType.Int16: native.Read(MemoryMarshal.Cast<byte, short>(bytes), selection, null, memoryDims); break;
            case ElementType.UInt16: native.Read(MemoryMarshal.Cast<byte, ushort>(bytes), selection, null, memoryDims); break;
            case ElementType.Int32: native.Read(MemoryMarshal.Cast<byte, int>(bytes), selection, null, memoryDims); break;
            case ElementType.UInt32: native.Read(MemoryMarshal.Cast<byte, uint>(bytes), selection, null, memoryDims); break;
            case ElementType.Int64: native.Read(MemoryMarshal.Cast<byte, long>(bytes), selection, null, memoryDims); break;
            case ElementType.UInt64: native.Read(MemoryMarshal.Cast<byte, ulong>(bytes), selection, null, memoryDims); break;
            default: throw new InvalidOperationException($"no reader for {type}");
        }
    }

    /// <summary>
    /// An Eiger master file links its frames as /entry/data/data_000001, data_000002… (usually external links to data
    /// files): when the data were found there without an explicit path, every consecutive part is one stretch of the stack.
    /// </summary>
    private static List<(string Path, IH5Dataset Dataset)> Parts(NativeFile file, DataPath source, Hdf5Options options, string path, IH5Dataset first, SiblingFiles siblings)
    {
        var parts = new List<(string Path, IH5Dataset Dataset)> { (path, first) };
        var explicitPath = source.Inner is not null || !string.IsNullOrWhiteSpace(options.Dataset);
        if (explicitPath || first.Space.Rank != 3)
        {
            return parts;
        }

        if (path == SiblingFiles.EigerLabel(source.File, 1))
        {
            for (var i = 2; siblings.OpenEigerData(source.File, i) is { } ds; i++)
            {
                CheckPart(source, path, first, SiblingFiles.EigerLabel(source.File, i), ds);
                parts.Add((SiblingFiles.EigerLabel(source.File, i), ds));
            }

            return parts;
        }

        if (!path.EndsWith("/data_000001", StringComparison.Ordinal))
        {
            return parts;
        }

        var prefix = path[..^6];
        for (var i = 2; i < 100000; i++)
        {
            var next = $"{prefix}{i:000000}";
            if (!Exists(file, next) || file.Get(next) is not IH5Dataset ds)
            {
                break;
            }

            CheckPart(source, path, first, next, ds);
            parts.Add((next, ds));
        }

        return parts;
    }

    private static void CheckPart(DataPath source, string path, IH5Dataset first, string next, IH5Dataset ds)
    {
        var d = ds.Space.Dimensions;
        var type = ElementTypeOf(source, path, first);
        if (d.Length != 3 || d[1] != first.Space.Dimensions[1] || d[2] != first.Space.Dimensions[2] || ElementTypeOf(source, next, ds) != type)
        {
            throw new InvalidInputException($"{source.File}:{next}", $"is {string.Join("x", d)} {ds.Type.Class} but {path} is {string.Join("x", first.Space.Dimensions)} {ElementTypes.Name(type)}", "every data_NNNNNN part of a series must hold frames of one size and type");
        }
    }

    private static byte[] ReadParts(List<(string Path, IH5Dataset Dataset)> parts, ElementType type, FrameRange range, CancellationToken cancellation)
    {
        var dims = parts[0].Dataset.Space.Dimensions;
        var frameBytes = (long)(dims[1] * dims[2]) * ElementTypes.SizeOf(type);
        var bytes = new byte[range.Count * frameBytes];
        long offset = 0;
        foreach (var (_, ds) in parts)
        {
            var n = (long)ds.Space.Dimensions[0];
            var lo = Math.Max(range.First, offset);
            var hi = Math.Min(range.First + range.Count, offset + n);
            if (lo < hi)
            {
                cancellation.ThrowIfCancellationRequested();
                var selection = new HyperslabSelection(3, [(ulong)(lo - offset), 0, 0], [(ulong)(hi - lo), dims[1], dims[2]]);
                var target = bytes.AsSpan((int)((lo - range.First) * frameBytes), (int)((hi - lo) * frameBytes));
                ReadInto(ds, type, target, selection, [(ulong)((hi - lo) * (long)(dims[1] * dims[2]))]);
            }

            offset += n;
        }

        return bytes;
    }

    private static bool IsFlagMask(string path, ElementType type) =>
        ElementTypes.IsInteger(type) && type != ElementType.Bool && path.EndsWith("/mask", StringComparison.Ordinal);

    private static uint[]? ReadMask(NativeFile file, DataPath source, Hdf5Options options, long[] dataDims, FrameRange? frames, string where, IDictionary<string, object> counts)
    {
        if (string.Equals(options.MaskDataset, "none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string? path = options.MaskDataset;
        var eiger = false;
        if (string.IsNullOrWhiteSpace(path))
        {
            path = null;
            if (Exists(file, "/entry_1/instrument_1/detector_1/mask"))
            {
                path = "/entry_1/instrument_1/detector_1/mask";
            }
            else if (Exists(file, "/entry/instrument/detector/detectorSpecific/pixel_mask"))
            {
                path = "/entry/instrument/detector/detectorSpecific/pixel_mask";
                eiger = true;
            }
        }

        if (path is null)
        {
            return null;
        }

        path = path.StartsWith('/') ? path : "/" + path;
        var maskWhere = $"{source.File}:{path}";
        if (!Exists(file, path) || file.Get(path) is not IH5Dataset ds)
        {
            throw new InvalidInputException(maskWhere, "mask dataset not found", "fix the mask_dataset option or set it to none");
        }

        var type = ElementTypeOf(source, path, ds);
        var stored = ds.Space.Dimensions;
        var dims = Normalise(new DataPath(source.File, path), stored.Select(d => (long)d).ToArray());
        var frameShape = dims[^2] == dataDims[^2] && dims[^1] == dataDims[^1];
        if (!frameShape || (dims.Length == 3 && (dataDims.Length != 3 || dims[0] != dataDims[0])))
        {
            throw new InvalidInputException(maskWhere, $"mask shape {string.Join("x", dims)} differs from the data shape {string.Join("x", dataDims)} of {where}", "use a mask of the detector's shape, or mask_dataset: none");
        }

        var (selection, memoryDims, count) = Hyperslab(stored, dims.Length == 3 ? frames : null);
        var bytes = new byte[count * ElementTypes.SizeOf(type)];
        ReadInto(ds, type, bytes, selection, memoryDims);
        long[] outDims = dims.Length == 3 && frames is { } f ? [f.Count, dims[1], dims[2]] : [dims[^2], dims[^1]];
        var flags = new ArrayData(outDims, type, bytes).ToFlags();
        if (eiger)
        {
            for (var i = 0; i < flags.Length; i++)
            {
                flags[i] = EigerFlags(flags[i]);
            }
        }
        else
        {
            var informational = new long[CxiInformational.Length];
            for (var i = 0; i < flags.Length; i++)
            {
                for (var b = 0; b < CxiInformational.Length; b++)
                {
                    informational[b] += (flags[i] & CxiInformational[b].Bit) != 0 ? 1 : 0;
                }

                flags[i] = CxiFlags(flags[i]);
            }

            for (var b = 0; b < CxiInformational.Length; b++)
            {
                if (informational[b] > 0)
                {
                    counts[$"cxi_mask_{CxiInformational[b].Name}_count"] = informational[b];
                }
            }
        }

        return flags;
    }

    /// <summary>
    /// The CXI 1.6 pixel-mask bits that do not make a pixel unknown: its value was measured and is used, the bit only
    /// describes it. Readers count them (metadata <c>cxi_mask_NAME_count</c>) and drop them.
    /// </summary>
    private static readonly (uint Bit, string Name)[] CxiInformational =
    [
        (0x400, "noisy"),
        (0x800, "artifact_corrected"),
        (0x2000, "peak_for_hitfinder"),
        (0x4000, "photon_background_corrected"),
    ];

    /// <summary>
    /// Maps a CXI 1.6 pixel-mask value to <see cref="MaskFlags"/>. Not measured (left free by phasing):
    /// 0x1 INVALID, 0x2 SATURATED, 0x4 HOT, 0x8 DEAD, 0x10 SHADOWED (→ Beamstop), 0x20 IN_PEAKMASK (→ User: excluded by
    /// the analysis that wrote it), 0x40 TO_BE_IGNORED (→ Ignore), 0x80 BAD (→ Gap, the bit cxdi.cxi writes for gaps),
    /// 0x100 OUT_OF_RESOLUTION_LIMITS (→ Empty, the bit cxdi.cxi writes for unmeasured voxels), 0x200 MISSING (→ Missing),
    /// 0x1000 FAILED_ARTIFACT_CORRECTION (→ Invalid: the stored value is known to be wrong) and the unassigned bits
    /// 0x8000 and 0x20000 up (→ Invalid: unknown meaning, so not trusted). Informational (measured, dropped): 0x400 NOISY,
    /// 0x800 ARTIFACT_CORRECTED, 0x2000 PEAK_FOR_HITFINDER, 0x4000 PHOTON_BACKGROUND_CORRECTED, and 0x10000, the
    /// object-space support bit, which never marks a detector pixel.
    /// </summary>
    internal static uint CxiFlags(uint v)
    {
        const uint sameBits = 0x3ff; // INVALID … MISSING: the SDK's flags use CXI's bit values
        const uint informational = 0x400 | 0x800 | 0x2000 | 0x4000 | (uint)MaskFlags.Support;
        var f = v & sameBits;
        if ((v & ~(sameBits | informational)) != 0)
        {
            f |= (uint)MaskFlags.Invalid;
        }

        return f;
    }

    private static uint EigerFlags(uint v)
    {
        if (v == 0)
        {
            return 0;
        }

        uint f = 0;
        if ((v & 1) != 0)
        {
            f |= (uint)MaskFlags.Gap;
        }

        if ((v & 2) != 0)
        {
            f |= (uint)MaskFlags.Dead;
        }

        if ((v & 8) != 0 || (v & 16) != 0)
        {
            f |= (uint)MaskFlags.Hot;
        }

        if ((v & ~27u) != 0)
        {
            f |= (uint)MaskFlags.Invalid;
        }

        return f;
    }

    private static Geometry ReadGeometry(NativeFile file, string dataPath, Hdf5Options options, FrameRange? frames, string where)
    {
        // CXI 1.6 first, then NeXus/Eiger names.
        var detector = FirstGroup(file, "/entry_1/instrument_1/detector_1", "/entry/instrument/detector");
        double? distance = null, px = null, py = null, wavelength = null, cx = null, cy = null;
        if (detector is not null)
        {
            distance = Quantity(file, $"{detector}/distance", "m") ?? Quantity(file, $"{detector}/detector_distance", "m");
            px = Quantity(file, $"{detector}/x_pixel_size", "m");
            py = Quantity(file, $"{detector}/y_pixel_size", "m");
            cx = Quantity(file, $"{detector}/beam_center_x", "px");
            cy = Quantity(file, $"{detector}/beam_center_y", "px");
        }

        if (Quantity(file, "/entry_1/instrument_1/source_1/energy", "J") is { } energy and > 0)
        {
            wavelength = Geometry.PlanckTimesC / energy;
        }

        wavelength = Quantity(file, "/entry_1/sample_1/geometry_1/incident_wavelength", "m")
            ?? Quantity(file, "/entry_1/instrument_1/beam_1/incident_wavelength", "m")
            ?? Quantity(file, "/entry/instrument/beam/incident_wavelength", "angstrom")
            ?? wavelength;

        IReadOnlyList<double>? tilts = null;
        if (!string.IsNullOrWhiteSpace(options.TiltAngles))
        {
            tilts = ReadTilts(file, options.TiltAngles!, frames, where);
        }

        return new Geometry
        {
            DetectorDistance = Positive(distance),
            PixelSizeX = Positive(px),
            PixelSizeY = Positive(py ?? px),
            Wavelength = Positive(wavelength),
            BeamCenterX = cx,
            BeamCenterY = cy,
            TiltAngles = tilts,
        };
    }

    private static IReadOnlyList<double> ReadTilts(NativeFile file, string path, FrameRange? frames, string where)
    {
        path = path.StartsWith('/') ? path : "/" + path;
        if (!Exists(file, path) || file.Get(path) is not IH5Dataset ds || !IsNumeric(ds))
        {
            throw new InvalidInputException($"{where} tilt_angles {path}", "no numeric dataset at that path", "name the dataset holding one angle per frame");
        }

        var stored = (long)ds.Space.Dimensions.Aggregate(1UL, (a, b) => a * b);
        var type = ElementTypeOf(new DataPath(file.Path ?? where, path), path, ds);
        ReaderErrors.CheckDeclaredSize($"{where} tilt_angles {path}", [stored], ElementTypes.SizeOf(type), available: null, "tilt angles");
        var raw = new byte[stored * ElementTypes.SizeOf(type)];
        ReadInto(ds, type, raw, null, [(ulong)stored]);
        var values = new ArrayData([stored], type, raw).ToDouble();
        var unit = UnitOf(ds);
        var scale = unit is "rad" or "radian" or "radians" ? 1.0 : Math.PI / 180;
        var first = frames?.First ?? 0;
        var count = frames?.Count ?? 1;
        if (values.Length < first + count)
        {
            throw new InvalidInputException($"{where} tilt_angles {path}", $"holds {values.Length} angles but frames {first} … {first + count - 1} are read", "give one angle per frame");
        }

        return values.Skip(first).Take(count).Select(v => v * scale).ToArray();
    }

    private static Complex32[]? ReadGroundTruth(NativeFile file, string dataPath)
    {
        const string path = "/entry_1/image_1/data";
        return dataPath != path && Exists(file, path) ? ReadComplex(file, path)?.Values : null;
    }

    private static string? FirstGroup(NativeFile file, params string[] paths) => paths.FirstOrDefault(p => Exists(file, p));

    private static double? Quantity(NativeFile file, string path, string defaultUnit)
    {
        if (!Exists(file, path) || file.Get(path) is not IH5Dataset ds || !IsNumeric(ds))
        {
            return null;
        }

        if (ReadScalar(ds) is not { } value || !double.IsFinite(value))
        {
            return null;
        }

        var unit = UnitOf(ds) ?? defaultUnit;
        return unit switch
        {
            "m" or "meter" or "meters" or "metre" or "metres" => value,
            "mm" or "millimeter" or "millimeters" => value * 1e-3,
            "um" or "µm" or "micron" or "microns" or "micrometer" or "micrometers" => value * 1e-6,
            "nm" or "nanometer" or "nanometers" => value * 1e-9,
            "a" or "å" or "angstrom" or "angstroms" => value * 1e-10,
            "j" or "joule" or "joules" => value,
            "ev" => value * 1.602176634e-19,
            "kev" => value * 1.602176634e-16,
            "px" or "pixel" or "pixels" => value,
            _ => value,
        };
    }

    private static string? UnitOf(IH5Dataset ds)
    {
        try
        {
            if (!ds.AttributeExists("units"))
            {
                return null;
            }

            var attr = ds.Attribute("units");
            return attr.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength ? attr.Read<string>().Trim().ToLowerInvariant() : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static double? Positive(double? v) => v is > 0 && double.IsFinite(v.Value) ? v : null;

    /// <summary>
    /// The data files of a Dectris Eiger series beside its master file (<c>name_master.h5</c> → <c>name_data_000001.h5</c>, …,
    /// each with <c>/entry/data/data</c>), opened on demand and closed together; used when the master's external links
    /// cannot be followed.
    /// </summary>
    private sealed class SiblingFiles : IDisposable
    {
        private readonly List<NativeFile> _open = [];

        public static string EigerLabel(string master, int index) => $"{Path.GetFileName(EigerDataFile(master, index))}:/entry/data/data";

        public IH5Dataset? OpenEigerData(string master, int index)
        {
            var file = EigerDataFile(master, index);
            if (file is null || !File.Exists(file))
            {
                return null;
            }

            var h5 = Open(file);
            _open.Add(h5);
            return Exists(h5, "/entry/data/data") && h5.Get("/entry/data/data") is IH5Dataset ds ? ds : null;
        }

        public void Dispose()
        {
            foreach (var f in _open)
            {
                f.Dispose();
            }
        }

        private static string? EigerDataFile(string master, int index)
        {
            var name = Path.GetFileName(master);
            var cut = name.LastIndexOf("_master.", StringComparison.Ordinal);
            return cut < 0 ? null : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(master)) ?? ".", $"{name[..cut]}_data_{index:000000}{Path.GetExtension(name)}");
        }
    }

    /// <summary>The CXI complex compound of float32 members r and i.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct CxiComplex32
    {
        /// <summary>Real part.</summary>
        public float r;

        /// <summary>Imaginary part.</summary>
        public float i;
    }

    /// <summary>The CXI complex compound of float64 members r and i.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct CxiComplex64
    {
        /// <summary>Real part.</summary>
        public double r;

        /// <summary>Imaginary part.</summary>
        public double i;
    }
}
