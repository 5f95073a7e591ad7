using System.Runtime.InteropServices;
using System.Text;
using BitMiracle.LibTiff.Classic;
using Cxdi.Plugins.Formats.Edf;
using Cxdi.Plugins.Formats.Hdf5;
using Cxdi.Plugins.Formats.Numpy;
using Cxdi.Plugins.Formats.Tiff;
using Cxdi.Plugins.Formats.Writers;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Roles;

namespace Cxdi.Conformance.Readers;

/// <summary>Golden file writers for the built-in formats, used by the conformance suites and the malformed corpus.</summary>
public static class GoldenFiles
{
    /// <summary>An EDF file: one float32 little-endian image per frame (a 3D shape becomes successive images).</summary>
    public static string Edf(string path, Shape shape, float[] values)
    {
        using var stream = File.Create(path);
        var frame = shape.Ny * shape.Nx;
        for (var z = 0; z < shape.Nz; z++)
        {
            var bytes = MemoryMarshal.AsBytes(values.AsSpan(z * frame, frame));
            EdfBlock(stream, [("HeaderID", $"EH:{z + 1:000000}:000000:000000"), ("Image", $"{z + 1}"), ("ByteOrder", "LowByteFirst"), ("DataType", "FloatValue"), ("Dim_1", $"{shape.Nx}"), ("Dim_2", $"{shape.Ny}"), ("Size", $"{bytes.Length}")], bytes);
        }

        return path;
    }

    /// <summary>Writes one EDF header (padded to a multiple of 512 bytes) and its data.</summary>
    public static void EdfBlock(Stream stream, IEnumerable<(string Key, string Value)> keys, ReadOnlySpan<byte> data)
    {
        var sb = new StringBuilder("{\n");
        foreach (var (k, v) in keys)
        {
            sb.Append(k).Append(" = ").Append(v).Append(" ;\n");
        }

        var length = sb.Length + 2;
        sb.Append(' ', ((length + 511) / 512 * 512) - length).Append("}\n");
        stream.Write(Encoding.ASCII.GetBytes(sb.ToString()));
        stream.Write(data);
    }

    /// <summary>A float32 .npy array written by the workbench's own NumPy writer.</summary>
    public static string Npy(string path, Shape shape, float[] values)
    {
        NpyWriter.WriteArray(path, values, shape, "<f4");
        return path;
    }

    /// <summary>A CXI file written by the workbench's CXI writer.</summary>
    public static string Cxi(string path, Shape shape, float[] values)
    {
        var written = ((IDataWriter)new CxiWriter()).Write(new DiffractionData(shape, values), Path.ChangeExtension(path, null), new CxiWriterOptions(), StepContext.None);
        return written[0];
    }

    /// <summary>A float32 TIFF (one page per frame) written with LibTiff.NET.</summary>
    public static string Tiff(string path, Shape shape, float[] values)
    {
        using (var tif = BitMiracle.LibTiff.Classic.Tiff.Open(path, "w"))
        {
            var frame = shape.Ny * shape.Nx;
            for (var z = 0; z < shape.Nz; z++)
            {
                tif.SetField(TiffTag.IMAGEWIDTH, shape.Nx);
                tif.SetField(TiffTag.IMAGELENGTH, shape.Ny);
                tif.SetField(TiffTag.SAMPLESPERPIXEL, 1);
                tif.SetField(TiffTag.BITSPERSAMPLE, 32);
                tif.SetField(TiffTag.SAMPLEFORMAT, SampleFormat.IEEEFP);
                tif.SetField(TiffTag.PHOTOMETRIC, Photometric.MINISBLACK);
                tif.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
                tif.SetField(TiffTag.ROWSPERSTRIP, shape.Ny);
                tif.SetField(TiffTag.COMPRESSION, z % 2 == 0 ? Compression.NONE : Compression.DEFLATE);
                if (shape.Nz > 1)
                {
                    tif.SetField(TiffTag.SUBFILETYPE, FileType.PAGE);
                    tif.SetField(TiffTag.PAGENUMBER, z, shape.Nz);
                }

                var row = new byte[shape.Nx * 4];
                for (var y = 0; y < shape.Ny; y++)
                {
                    MemoryMarshal.AsBytes(values.AsSpan((z * frame) + (y * shape.Nx), shape.Nx)).CopyTo(row);
                    tif.WriteScanline(row, y);
                }

                tif.WriteDirectory();
            }
        }

        return path;
    }
}

public sealed class EdfReaderConformance : ReaderConformanceSuite
{
    protected override IDataReader CreateReader() => new EdfReader();

    protected override DataPath WriteGolden(string directory, string name, Shape shape, float[] values) =>
        new(GoldenFiles.Edf(Path.Combine(directory, name + ".edf"), shape, values));
}

public sealed class NpyReaderConformance : ReaderConformanceSuite
{
    protected override IDataReader CreateReader() => new NpyReader();

    protected override DataPath WriteGolden(string directory, string name, Shape shape, float[] values) =>
        new(GoldenFiles.Npy(Path.Combine(directory, name + ".npy"), shape, values));
}

public sealed class Hdf5ReaderConformance : ReaderConformanceSuite
{
    protected override IDataReader CreateReader() => new Hdf5Reader();

    protected override DataPath WriteGolden(string directory, string name, Shape shape, float[] values) =>
        new(GoldenFiles.Cxi(Path.Combine(directory, name + ".cxi"), shape, values));
}

public sealed class TiffReaderConformance : ReaderConformanceSuite
{
    protected override IDataReader CreateReader() => new TiffReader();

    protected override DataPath WriteGolden(string directory, string name, Shape shape, float[] values) =>
        new(GoldenFiles.Tiff(Path.Combine(directory, name + ".tif"), shape, values));
}
