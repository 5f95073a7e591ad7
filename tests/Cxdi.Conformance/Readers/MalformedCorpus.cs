using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Cxdi.Plugins.Formats.Edf;
using Cxdi.Plugins.Formats.Hdf5;
using Cxdi.Plugins.Formats.Numpy;
using Cxdi.Plugins.Formats.Tiff;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using PureHDF;

namespace Cxdi.Conformance.Readers;

/// <summary>One damaged input: the path to read (<c>file</c> or <c>file:/inner</c>), the reader id and options to read it with, and a text every error message must contain.</summary>
/// <param name="Name">Stable case name.</param>
/// <param name="Path">What to read, as a workflow would write it.</param>
/// <param name="ReaderId">The built-in reader that claims the format.</param>
/// <param name="Options">Reader options (defaults unless the case is about an option).</param>
/// <param name="MustName">Text the one-line error must contain (the file name, and the inner path where there is one).</param>
/// <param name="UsesOptions">True when the damage is in the reader options (a frame range, a mask file…): <c>cxdi inspect PATH</c> alone then succeeds, a workflow with these options fails.</param>
/// <param name="MustSay">Text the error must also contain, where the case is about what the message says (e.g. "truncated or corrupt").</param>
public sealed record MalformedCase(string Name, string Path, string ReaderId, PluginOptions Options, string MustName, bool UsesOptions = false, string? MustSay = null);

/// <summary>
/// Generates the malformed-input corpus: truncated files, wrong magic, headers that lie about sizes, unknown types,
/// missing datasets, mask shapes that differ from the data, zero-size and 10¹² pixel declarations, negative dimensions,
/// unclosed and huge headers… in EDF, NPY, NPZ, TIFF and HDF5/CXI. Every case must fail with an
/// <see cref="Cxdi.Sdk.Errors.CxdiException"/> (exit code 2 in the CLI) whose one-line message names the file.
/// </summary>
public static class MalformedCorpus
{
    private static readonly Dictionary<string, Func<string, MalformedCase>> Cases = Build();

    /// <summary>Every case name.</summary>
    public static IReadOnlyList<string> Names => [.. Cases.Keys];

    /// <summary>Writes one case's files into <paramref name="directory"/>.</summary>
    public static MalformedCase Generate(string name, string directory) => Cases[name](directory);

    /// <summary>Writes every case into <paramref name="directory"/> (one sub-folder each) — for end-to-end CLI checks.</summary>
    public static IReadOnlyList<MalformedCase> GenerateAll(string directory) =>
        [.. Cases.Select(c =>
        {
            var dir = System.IO.Path.Combine(directory, c.Key);
            Directory.CreateDirectory(dir);
            return c.Value(dir);
        })];

    /// <summary>The built-in reader with <paramref name="id"/>.</summary>
    public static IDataReader Reader(string id) => id switch
    {
        "esrf.edf" => new EdfReader(),
        "numpy.npy" => new NpyReader(),
        "tiff" => new TiffReader(),
        "cxi.hdf5" => new Hdf5Reader(),
        _ => throw new ArgumentException($"unknown reader {id}", nameof(id)),
    };

    private static Dictionary<string, Func<string, MalformedCase>> Build()
    {
        var c = new Dictionary<string, Func<string, MalformedCase>>(StringComparer.Ordinal);
        var fp = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();

        // ---- EDF
        void Edf(string name, Func<string, string> write, EdfOptions? options = null, string? mustName = null) =>
            c[name] = dir =>
            {
                var file = write(dir);
                return new MalformedCase(name, file, "esrf.edf", options ?? new EdfOptions(), mustName ?? System.IO.Path.GetFileName(file), options is not null);
            };
        string EdfFile(string dir, string name, (string, string)[] keys, byte[] data, byte[]? tail = null)
        {
            var file = System.IO.Path.Combine(dir, name);
            using var s = File.Create(file);
            GoldenFiles.EdfBlock(s, keys, data);
            s.Write(tail ?? []);
            return file;
        }

        (string, string)[] Keys(string type = "FloatValue", string d1 = "4", string d2 = "4", string? size = "64", string order = "LowByteFirst")
        {
            var k = new List<(string, string)> { ("ByteOrder", order), ("DataType", type), ("Dim_1", d1), ("Dim_2", d2) };
            if (size is not null)
            {
                k.Add(("Size", size));
            }

            return [.. k];
        }

        var data16 = new byte[64];
        Edf("edf-empty", d => Write(d, "empty.edf", []));
        Edf("edf-no-closing-brace", d => Write(d, "nobrace.edf", Encoding.ASCII.GetBytes("{\nDataType = FloatValue ;\nDim_1 = 4 ;\nDim_2 = 4 ;\n" + new string(' ', 2000))));
        Edf("edf-huge-header", d => Write(d, "hugeheader.edf", Encoding.ASCII.GetBytes("{\nDataType = FloatValue ;\n" + new string(' ', (1 << 20) + 4096))));
        Edf("edf-truncated-data", d => EdfFile(d, "truncated.edf", Keys(d1: "512", d2: "512", size: "1048576"), new byte[1000]));
        Edf("edf-size-lies-bigger", d => EdfFile(d, "sizelies.edf", Keys(size: "999999999"), data16));
        Edf("edf-size-smaller-than-dims", d => EdfFile(d, "sizesmall.edf", Keys(size: "16"), data16));
        Edf("edf-size-not-a-number", d => EdfFile(d, "sizenan.edf", Keys(size: "lots"), data16));
        Edf("edf-unknown-datatype", d => EdfFile(d, "unknowntype.edf", Keys(type: "ComplexFloat"), data16));
        Edf("edf-missing-datatype", d => EdfFile(d, "notype.edf", [("Dim_1", "4"), ("Dim_2", "4")], data16));
        Edf("edf-missing-dim2", d => EdfFile(d, "nodim2.edf", [("DataType", "FloatValue"), ("Dim_1", "16")], data16));
        Edf("edf-negative-dim", d => EdfFile(d, "negdim.edf", Keys(d1: "-4", size: null), data16));
        Edf("edf-zero-dim", d => EdfFile(d, "zerodim.edf", Keys(d2: "0", size: null), data16));
        Edf("edf-non-numeric-dim", d => EdfFile(d, "textdim.edf", Keys(d1: "four", size: null), data16));
        Edf("edf-1e12-pixels", d => EdfFile(d, "terapixel.edf", Keys(d1: "1000000", d2: "1000000", size: null), data16));
        Edf("edf-dim-overflow", d => EdfFile(d, "overflow.edf", Keys(d1: "99999999999999", size: null), data16));
        Edf("edf-bad-byte-order", d => EdfFile(d, "order.edf", Keys(order: "MiddleEndian"), data16));
        Edf("edf-compressed", d => EdfFile(d, "gz.edf", [.. Keys(), ("Compression", "GzipCompression")], data16));
        Edf("edf-binary-in-header", d => Write(d, "binary.edf", [(byte)'{', (byte)'\n', 0, 1, 2, 3, (byte)'}', (byte)'\n', .. data16]));
        Edf("edf-mixed-image-sizes", d => EdfFile(d, "mixed.edf", Keys(), data16, EdfBytes(Keys(d1: "2", d2: "2", size: "16"), new byte[16])));
        Edf("edf-garbage-after-image", d => EdfFile(d, "garbage.edf", Keys(), data16, Encoding.ASCII.GetBytes("trailing rubbish")));
        Edf("edf-second-header-truncated", d => EdfFile(d, "secondtrunc.edf", Keys(), data16, EdfBytes(Keys(), new byte[10])));
        Edf("edf-wrong-magic", d => Write(d, "wrongmagic.edf", Encoding.ASCII.GetBytes("X\nDataType = FloatValue ;\n}\n")));
        Edf("edf-inner-path", d => EdfFile(d, "inner.edf", Keys(), data16) + ":/entry", mustName: "inner.edf:/entry");
        Edf("edf-frame-out-of-range", d => GoldenFiles.Edf(System.IO.Path.Combine(d, "frames.edf"), Shape.Of(2, 2, 2), fp[..8]), new EdfOptions { FirstFrame = 5 });
        Edf("edf-mask-shape-mismatch", d =>
        {
            GoldenFiles.Edf(System.IO.Path.Combine(d, "mask33.edf"), Shape.Of(3, 3), fp[..9]);
            return GoldenFiles.Edf(System.IO.Path.Combine(d, "data44.edf"), Shape.Of(4, 4), fp);
        }, new EdfOptions { Mask = "mask33.edf" }, "mask33.edf");
        Edf("edf-mask-file-missing", d => GoldenFiles.Edf(System.IO.Path.Combine(d, "nomask.edf"), Shape.Of(4, 4), fp), new EdfOptions { Mask = "/nonexistent/mask.edf" }, "/nonexistent/mask.edf");

        // ---- NPY / NPZ
        void Npy(string name, Func<string, string> write, NpyOptions? options = null, string? mustName = null) =>
            c[name] = dir =>
            {
                var file = write(dir);
                return new MalformedCase(name, file, "numpy.npy", options ?? new NpyOptions(), mustName ?? System.IO.Path.GetFileName(file.Split(":/")[0]), options is not null);
            };
        Npy("npy-empty", d => Write(d, "empty.npy", []));
        Npy("npy-wrong-magic", d => Write(d, "magic.npy", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'X', 1, 0, 0, 0]));
        Npy("npy-truncated-preamble", d => Write(d, "pre.npy", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1]));
        Npy("npy-unknown-version", d => Write(d, "v9.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", new byte[64], major: 9)));
        Npy("npy-huge-header-length", d => Write(d, "hugehdr.npy", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0xff, 0xff, 0xff, 0x7f, (byte)'{']));
        Npy("npy-header-longer-than-file", d => Write(d, "longhdr.npy", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 0x00, 0x10, (byte)'{', (byte)'}']));
        Npy("npy-malformed-dict", d => Write(d, "dict.npy", NpyBytes("{'descr': '<f4', 'shape': 4x4}", new byte[64])));
        Npy("npy-unknown-dtype", d => Write(d, "f2.npy", NpyBytes("{'descr': '<f2', 'fortran_order': False, 'shape': (4, 4), }", new byte[32])));
        Npy("npy-unicode-dtype", d => Write(d, "u10.npy", NpyBytes("{'descr': '<U10', 'fortran_order': False, 'shape': (4, 4), }", new byte[640])));
        Npy("npy-object-dtype", d => Write(d, "obj.npy", NpyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (4, 4), }", new byte[128])));
        Npy("npy-complex", d => Write(d, "c8.npy", NpyBytes("{'descr': '<c8', 'fortran_order': False, 'shape': (4, 4), }", new byte[128])));
        Npy("npy-structured", d => Write(d, "rec.npy", NpyBytes("{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (4, 4), }", new byte[128])));
        Npy("npy-truncated-data", d => Write(d, "trunc.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (64, 64), }", new byte[100])));
        Npy("npy-1e12-pixels", d => Write(d, "tera.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 1000000), }", new byte[64])));
        Npy("npy-negative-dim", d => Write(d, "neg.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (-4, 4), }", new byte[64])));
        Npy("npy-zero-size", d => Write(d, "zero.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 5), }", [])));
        Npy("npy-one-dimensional", d => Write(d, "oned.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (16,), }", new byte[64])));
        Npy("npy-four-dimensional", d => Write(d, "fourd.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2, 2), }", new byte[64])));
        Npy("npy-scalar", d => Write(d, "scalar.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", new byte[4])));
        Npy("npz-truncated", d => Write(d, "trunc.npz", NpzBytes(("data.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", new byte[64])))[..60]));
        Npy("npz-no-members", d => Write(d, "empty.npz", NpzBytes(("readme.txt", Encoding.ASCII.GetBytes("nothing")))), mustName: "empty.npz");
        Npy("npz-missing-member", d => Write(d, "m.npz", NpzBytes(("data.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", new byte[64])))) + ":/nope", mustName: "m.npz:/nope");
        Npy("npz-ambiguous-members", d => Write(d, "two.npz", NpzBytes(("a.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", new byte[64])), ("b.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", new byte[64])))));
        Npy("npz-corrupt-deflate", d =>
        {
            var zip = NpzBytes(CompressionLevel.Optimal, ("data.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (64, 64), }", Enumerable.Range(0, 16384).Select(i => (byte)(i * 7)).ToArray())));
            for (var i = 80; i < 200; i++)
            {
                zip[i] ^= 0x5a;
            }

            return Write(d, "corrupt.npz", zip);
        });
        Npy("npz-mask-shape-mismatch", d => Write(d, "mask.npz", NpzBytes(
            ("data.npy", NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 4), }", new byte[64])),
            ("mask.npy", NpyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (3, 3), }", new byte[9])))));

        // ---- TIFF
        void Tif(string name, Func<string, string> write) =>
            c[name] = dir =>
            {
                var file = write(dir);
                return new MalformedCase(name, file, "tiff", new TiffOptions(), System.IO.Path.GetFileName(file));
            };
        Tif("tiff-empty", d => Write(d, "empty.tif", []));
        Tif("tiff-header-only", d => Write(d, "hdr.tif", [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0]));
        Tif("tiff-bad-ifd-offset", d => Write(d, "ifd.tif", [(byte)'I', (byte)'I', 42, 0, 0xff, 0xff, 0xff, 0x0f]));
        Tif("tiff-wrong-magic", d => Write(d, "magic.tif", [(byte)'I', (byte)'I', 41, 0, 8, 0, 0, 0, 0, 0]));
        Tif("tiff-rgb", d => Write(d, "rgb.tif", TiffBytes(4, 4, bits: 8, format: 1, samples: 3, data: new byte[48])));
        Tif("tiff-64bit-integers", d => Write(d, "int64.tif", TiffBytes(4, 4, bits: 64, format: 1, samples: 1, data: new byte[128])));
        Tif("tiff-strip-beyond-file", d => Write(d, "strip.tif", TiffBytes(64, 64, bits: 32, format: 3, samples: 1, data: new byte[64])));
        Tif("tiff-1e12-pixels", d => Write(d, "tera.tif", TiffBytes(1000000, 1000000, bits: 32, format: 3, samples: 1, data: new byte[64])));
        Tif("tiff-zero-width", d => Write(d, "zerow.tif", TiffBytes(0, 4, bits: 32, format: 3, samples: 1, data: new byte[64])));
        Tif("tiff-truncated-half", d =>
        {
            var full = GoldenFiles.Tiff(System.IO.Path.Combine(d, "full.tif"), Shape.Of(32, 32), new float[1024]);
            var bytes = File.ReadAllBytes(full);
            File.Delete(full);
            return Write(d, "half.tif", bytes[..(bytes.Length / 2)]);
        });

        // ---- HDF5 / CXI
        void H5(string name, Func<string, string> write, Hdf5Options? options = null, string? mustName = null, string? mustSay = null) =>
            c[name] = dir =>
            {
                var file = write(dir);
                return new MalformedCase(name, file, "cxi.hdf5", options ?? new Hdf5Options(), mustName ?? System.IO.Path.GetFileName(file.Split(":/")[0]), options is not null, mustSay);
            };
        string Truncate(string dir, string name, Func<byte[], int> keep)
        {
            var full = GoldenFiles.Cxi(System.IO.Path.Combine(dir, "full-" + name), Shape.Of(64, 64), Enumerable.Range(0, 4096).Select(i => (float)(i % 97)).ToArray());
            var bytes = File.ReadAllBytes(full);
            File.Delete(full);
            return Write(dir, name, bytes[..keep(bytes)]);
        }
        string H5File(string dir, string name, H5File content)
        {
            var file = System.IO.Path.Combine(dir, name);
            content.Write(file);
            return file;
        }

        H5("h5-empty", d => Write(d, "empty.h5", []));
        H5("h5-signature-then-garbage", d => Write(d, "garbage.h5", [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n', .. Enumerable.Range(0, 600).Select(i => (byte)(i * 31))]));
        const string Truncated = "truncated or corrupt";
        H5("h5-truncated-half", d => Truncate(d, "half.cxi", b => b.Length / 2), mustSay: Truncated);
        H5("h5-truncated-last-kib", d => Truncate(d, "shortened.cxi", b => b.Length - 1024), mustSay: Truncated);
        H5("h5-truncated-to-superblock", d => Truncate(d, "superblock.cxi", _ => 96), mustSay: Truncated);
        H5("h5-missing-dataset", d => H5File(d, "nodata.h5", new H5File { ["x"] = new H5Dataset(new float[16], fileDims: [4, 4]) }) + ":/entry_1/data_1/data", mustName: "nodata.h5:/entry_1/data_1/data");
        H5("h5-no-image-dataset", d => H5File(d, "noimage.h5", new H5File { ["x"] = new H5Dataset(new float[16], fileDims: [16]) }));
        H5("h5-group-not-dataset", d => H5File(d, "group.h5", new H5File { ["g"] = new H5Group { ["x"] = new H5Dataset(new float[16], fileDims: [4, 4]) } }) + ":/g", mustName: "group.h5:/g");
        H5("h5-one-dimensional", d => H5File(d, "oned.h5", new H5File { ["x"] = new H5Dataset(new float[16], fileDims: [16]) }) + ":/x", mustName: "oned.h5:/x");
        H5("h5-four-dimensional", d => H5File(d, "fourd.h5", new H5File { ["x"] = new H5Dataset(new float[16], fileDims: [2, 2, 2, 2]) }) + ":/x", mustName: "fourd.h5:/x");
        H5("h5-complex-intensity", d => H5File(d, "complex.h5", new H5File { ["x"] = new H5Dataset(new Hdf5Reader.CxiComplex32[16], fileDims: [4, 4]) }) + ":/x", mustName: "complex.h5:/x");
        H5("h5-string-dataset", d => H5File(d, "string.h5", new H5File { ["x"] = new H5Dataset(Enumerable.Repeat("abc", 16).ToArray(), fileDims: [4, 4]) }) + ":/x", mustName: "string.h5:/x");
        H5("h5-mask-shape-mismatch", d => H5File(d, "maskshape.cxi", new H5File
        {
            ["entry_1"] = new H5Group
            {
                ["data_1"] = new H5Group { ["data"] = new H5Dataset(new float[16], fileDims: [4, 4]) },
                ["instrument_1"] = new H5Group { ["detector_1"] = new H5Group { ["mask"] = new H5Dataset(new uint[9], fileDims: [3, 3]) } },
            },
        }), mustName: "maskshape.cxi:/entry_1/instrument_1/detector_1/mask");
        H5("h5-mask-dataset-missing", d => H5File(d, "nomask.h5", new H5File { ["x"] = new H5Dataset(new float[16], fileDims: [4, 4]) }) + ":/x", new Hdf5Options { MaskDataset = "/detector/mask" }, "nomask.h5:/detector/mask");
        H5("h5-tilt-angles-missing", d => H5File(d, "notilt.h5", new H5File { ["x"] = new H5Dataset(new float[32], fileDims: [2, 4, 4]) }) + ":/x", new Hdf5Options { TiltAngles = "/angles" }, "notilt.h5");
        H5("h5-tilt-angles-too-few", d => H5File(d, "fewtilt.h5", new H5File { ["x"] = new H5Dataset(new float[32], fileDims: [2, 4, 4]), ["angles"] = new H5Dataset(new double[] { 1.0 }) }) + ":/x", new Hdf5Options { TiltAngles = "/angles" }, "fewtilt.h5");
        H5("h5-frame-count-too-large", d => H5File(d, "frames.h5", new H5File { ["x"] = new H5Dataset(new float[32], fileDims: [2, 4, 4]) }) + ":/x", new Hdf5Options { FrameCount = 3 }, "frames.h5:/x");

        // ---- any format
        c["missing-file"] = dir => new MalformedCase("missing-file", System.IO.Path.Combine(dir, "absent.edf"), "esrf.edf", new EdfOptions(), "absent.edf");
        c["directory-not-file"] = dir => new MalformedCase("directory-not-file", dir, "numpy.npy", new NpyOptions(), System.IO.Path.GetFileName(dir));
        return c;
    }

    private static string Write(string dir, string name, byte[] bytes)
    {
        var file = System.IO.Path.Combine(dir, name);
        File.WriteAllBytes(file, bytes);
        return file;
    }

    private static byte[] EdfBytes((string, string)[] keys, byte[] data)
    {
        using var ms = new MemoryStream();
        GoldenFiles.EdfBlock(ms, keys, data);
        return ms.ToArray();
    }

    private static byte[] NpyBytes(string dict, byte[] data, int major = 1)
    {
        var total = 10 + dict.Length + 1;
        var header = dict + new string(' ', ((total + 63) / 64 * 64) - total) + "\n";
        return [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0, (byte)(header.Length & 0xff), (byte)(header.Length >> 8), .. Encoding.Latin1.GetBytes(header), .. data];
    }

    private static byte[] NpzBytes(params (string Name, byte[] Bytes)[] members) => NpzBytes(CompressionLevel.NoCompression, members);

    private static byte[] NpzBytes(CompressionLevel level, params (string Name, byte[] Bytes)[] members)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in members)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(bytes);
            }
        }

        return ms.ToArray();
    }

    /// <summary>A single-strip little-endian TIFF whose tags say what the case needs, whatever the data.</summary>
    private static byte[] TiffBytes(int width, int height, int bits, int format, int samples, byte[] data)
    {
        var entries = new (ushort Tag, ushort Type, uint Value)[]
        {
            (256, 4, (uint)width), (257, 4, (uint)height), (258, 3, (uint)bits), (259, 3, 1), (262, 3, 1),
            (273, 4, 0), (277, 3, (uint)samples), (278, 4, (uint)height), (279, 4, (uint)((long)width * height * samples * bits / 8)), (339, 3, (uint)format),
        };
        var dataStart = 8 + 2 + (entries.Length * 12) + 4;
        var bytes = new byte[dataStart + data.Length];
        "II"u8.CopyTo(bytes);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            var at = 10 + (i * 12);
            var (tag, type, value) = entries[i];
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), tag);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 2), type);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 4), 1);
            var v = tag == 273 ? (uint)dataStart : value;
            if (type == 3)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at + 8), (ushort)v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 8), v);
            }
        }

        data.CopyTo(bytes, dataStart);
        return bytes;
    }
}
