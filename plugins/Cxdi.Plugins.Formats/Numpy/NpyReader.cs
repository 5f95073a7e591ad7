using System.IO.Compression;
using Cxdi.Plugins.Formats.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Readers;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Formats.Numpy;

/// <summary>
/// Reads NumPy arrays: <c>.npy</c> (format versions 1–3; float32/64, (u)int8–64, bool; either byte order; C or Fortran
/// order) and <c>.npz</c> archives (stored or deflated), selecting a member by <c>file.npz:/name</c> or the
/// <c>member</c> option and taking a <c>mask</c> member as a user mask. Complex arrays are rejected for intensity.
/// </summary>
[CxdiPlugin("numpy.npy", "1.0.0", Description = "NumPy .npy arrays and .npz archives")]
public sealed class NpyReader : ArrayReaderBase<NpyOptions>
{
    /// <inheritdoc />
    protected override IReadOnlyList<IArraySource> MaskSources => BuiltInReaders.ArraySources;

    /// <inheritdoc />
    protected override string MaskFormats => BuiltInReaders.MaskFormats;

    private static readonly string[] PreferredMembers = ["data", "intensity", "iobs", "arr_0"];

    /// <inheritdoc />
    public override bool CanRead(string path, ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(NpyHeader.Magic))
        {
            return true;
        }

        // A zip whose first local entry is a .npy member (numpy.savez writes them so).
        if (head.Length >= 30 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
        {
            var nameLength = head[26] | (head[27] << 8);
            if (30 + nameLength <= head.Length)
            {
                var name = System.Text.Encoding.UTF8.GetString(head.Slice(30, nameLength));
                return name.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);
            }

            return path.EndsWith(".npz", StringComparison.OrdinalIgnoreCase);
        }

        return false;
    }

    /// <inheritdoc />
    protected override ArrayHeader ReadHeader(DataPath source, NpyOptions options)
    {
        using var input = OpenArray(source, options, out var where, out var available);
        var header = NpyHeader.Read(input.Stream, where, available);
        CheckSize(header, where, available);
        return new ArrayHeader(header.Dims, header.Type);
    }

    /// <inheritdoc />
    protected override ArrayData ReadArray(DataPath source, NpyOptions options, ArrayHeader header, FrameRange? frames, CancellationToken cancellation)
    {
        string where;
        NpyHeader npy;
        byte[] bytes;
        long[] dims;
        using (var input = OpenArray(source, options, out where, out var available))
        {
            npy = NpyHeader.Read(input.Stream, where, available);
            CheckSize(npy, where, available);
            dims = Normalise(source, npy.Dims);
            bytes = ReadFrames(input.Stream, npy, dims, frames, where);
        }

        long[] outDims = frames is { } f ? [f.Count, dims[^2], dims[^1]] : [dims[^2], dims[^1]];
        var array = new ArrayData(outDims, npy.Type, bytes);
        array.Metadata["npy.dtype"] = (npy.BigEndian ? ">" : "<") + ElementTypes.Name(npy.Type);
        array.Metadata["npy.fortran_order"] = npy.FortranOrder ? "true" : "false";
        if (IsZip(source.File))
        {
            array.Metadata["npz.member"] = where[(where.LastIndexOf(':') + 2)..];
            array.Mask = ReadMaskMember(source, options, dims, frames);
        }

        return array;
    }

    private static byte[] ReadFrames(Stream stream, NpyHeader npy, long[] dims, FrameRange? frames, string where)
    {
        var size = ElementTypes.SizeOf(npy.Type);
        var frameBytes = dims[^1] * dims[^2] * size;
        byte[] bytes;
        if (!npy.FortranOrder && frames is { } f)
        {
            Skip(stream, f.First * frameBytes, where);
            bytes = new byte[f.Count * frameBytes];
            Fill(stream, bytes, where);
        }
        else
        {
            bytes = new byte[npy.DataBytes];
            Fill(stream, bytes, where);
            if (npy.FortranOrder)
            {
                bytes = ToCOrder(bytes, dims, size);
            }

            if (frames is { } g)
            {
                bytes = bytes.AsSpan((int)(g.First * frameBytes), (int)(g.Count * frameBytes)).ToArray();
            }
        }

        if (npy.BigEndian)
        {
            ArrayData.SwapInPlace(bytes, npy.Type);
        }

        return bytes;
    }

    private static uint[]? ReadMaskMember(DataPath source, NpyOptions options, long[] dataDims, FrameRange? frames)
    {
        if (string.Equals(options.MaskMember, "none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        using var zip = ZipFile.OpenRead(source.File);
        var name = string.IsNullOrWhiteSpace(options.MaskMember) ? "mask" : options.MaskMember!.TrimStart('/');
        var entry = zip.GetEntry(name + ".npy") ?? zip.GetEntry(name);
        var dataMember = source.Inner?.TrimStart('/') ?? options.Member;
        if (entry is null || (dataMember is not null && (dataMember == name || dataMember + ".npy" == entry.FullName)))
        {
            return string.IsNullOrWhiteSpace(options.MaskMember) ? null
                : throw new InvalidInputException($"{source.File}:/{name}", "no such member in the archive", "fix the mask_member option or set it to none");
        }

        var where = $"{source.File}:/{name}";
        using var stream = entry.Open();
        var npy = NpyHeader.Read(stream, where, entry.Length);
        CheckSize(npy, where, entry.Length);
        var dims = Normalise(new DataPath(source.File, "/" + name), npy.Dims);
        var sameFrame = dims[^1] == dataDims[^1] && dims[^2] == dataDims[^2];
        var ok = sameFrame && (dims.Length == 2 || (dataDims.Length == 3 && dims[0] == dataDims[0]));
        if (!ok)
        {
            throw new InvalidInputException(where, $"mask shape {string.Join("x", dims)} differs from the data shape {string.Join("x", dataDims)}", "store a mask of the detector's shape, or set mask_member: none");
        }

        var bytes = ReadFrames(stream, npy, dims, dims.Length == 3 ? frames : null, where);
        long[] outDims = dims.Length == 3 && frames is { } f ? [f.Count, dims[1], dims[2]] : [dims[^2], dims[^1]];
        var raw = new ArrayData(outDims, npy.Type, bytes).ToFlags();
        for (var i = 0; i < raw.Length; i++)
        {
            raw[i] = raw[i] != 0 ? (uint)MaskFlags.User : 0u;
        }

        return raw;
    }

    private static byte[] ToCOrder(byte[] fortran, long[] dims, int size)
    {
        var result = new byte[fortran.Length];
        long nz = dims.Length == 3 ? dims[0] : 1, ny = dims[^2], nx = dims[^1];
        long c = 0;
        for (long z = 0; z < nz; z++)
        {
            for (long y = 0; y < ny; y++)
            {
                for (long x = 0; x < nx; x++, c++)
                {
                    var f = z + (nz * (y + (ny * x)));
                    Buffer.BlockCopy(fortran, (int)(f * size), result, (int)(c * size), size);
                }
            }
        }

        return result;
    }

    private static void CheckSize(NpyHeader header, string where, long? available)
    {
        long? room = available is { } a ? a - header.DataOffset : null;
        ReaderErrors.CheckDeclaredSize(where, header.Dims, ElementTypes.SizeOf(header.Type), room);
    }

    private static void Fill(Stream stream, byte[] buffer, string where)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidInputException(where, $"ends before the {buffer.Length} data bytes its header declares", "the file is truncated");
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidInputException(where, $"corrupt compressed member: {ex.Message}", "the archive is damaged");
        }
    }

    private static void Skip(Stream stream, long bytes, string where)
    {
        if (stream.CanSeek)
        {
            stream.Seek(bytes, SeekOrigin.Current);
            return;
        }

        var buffer = new byte[81920];
        while (bytes > 0)
        {
            var n = stream.Read(buffer, 0, (int)Math.Min(buffer.Length, bytes));
            if (n == 0)
            {
                throw new InvalidInputException(where, "ends before the selected frames", "the file is truncated");
            }

            bytes -= n;
        }
    }

    private static bool IsZip(string file)
    {
        using var s = File.OpenRead(file);
        Span<byte> head = stackalloc byte[4];
        return s.Read(head) == 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4;
    }

    private static ArrayInput OpenArray(DataPath source, NpyOptions options, out string where, out long? available)
    {
        if (!IsZip(source.File))
        {
            if (source.Inner is not null)
            {
                throw new InvalidInputException(source.ToString(), "a .npy file has no members", $"use {source.File} without ':{source.Inner}'");
            }

            where = source.File;
            var stream = File.OpenRead(source.File);
            available = stream.Length;
            return new ArrayInput(stream, null);
        }

        ZipArchive zip;
        try
        {
            zip = ZipFile.OpenRead(source.File);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidInputException(source.File, $"is not a readable .npz (zip) archive: {ex.Message}", "the archive is damaged or truncated");
        }

        try
        {
            var entry = SelectMember(zip, source, options);
            where = $"{source.File}:/{Path.GetFileNameWithoutExtension(entry.FullName)}";
            available = entry.Length;
            return new ArrayInput(entry.Open(), zip);
        }
        catch (InvalidDataException ex)
        {
            zip.Dispose();
            throw new InvalidInputException(source.File, $"corrupt .npz member: {ex.Message}", "the archive is damaged");
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    private static ZipArchiveEntry SelectMember(ZipArchive zip, DataPath source, NpyOptions options)
    {
        var members = zip.Entries.Where(e => e.FullName.EndsWith(".npy", StringComparison.Ordinal)).ToList();
        var names = string.Join(", ", members.Select(e => e.FullName[..^4]));
        var wanted = source.Inner?.TrimStart('/') ?? (string.IsNullOrWhiteSpace(options.Member) ? null : options.Member!.TrimStart('/'));
        if (wanted is not null)
        {
            return members.FirstOrDefault(e => e.FullName == wanted + ".npy" || e.FullName == wanted)
                ?? throw new InvalidInputException($"{source.File}:/{wanted}", "no such member in the archive", members.Count > 0 ? $"members: {names}" : "the archive holds no .npy member");
        }

        if (members.Count == 0)
        {
            throw new InvalidInputException(source.File, "the .npz archive holds no .npy member", "save arrays with numpy.savez");
        }

        var data = members.Where(e => e.FullName != "mask.npy").ToList();
        if (data.Count == 1)
        {
            return data[0];
        }

        foreach (var name in PreferredMembers)
        {
            if (members.FirstOrDefault(e => e.FullName == name + ".npy") is { } e)
            {
                return e;
            }
        }

        throw new InvalidInputException(source.File, $"the archive holds several arrays ({names}) and none is named data", "choose one as file.npz:/name or with the member option");
    }

    private sealed class ArrayInput(Stream stream, ZipArchive? zip) : IDisposable
    {
        public Stream Stream { get; } = stream;

        public void Dispose()
        {
            Stream.Dispose();
            zip?.Dispose();
        }
    }
}
