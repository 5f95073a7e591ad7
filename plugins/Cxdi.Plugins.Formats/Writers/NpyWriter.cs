using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.IO;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Formats.Writers;

/// <summary>Options of the <c>cxdi.npy</c> writer.</summary>
public sealed record NpyWriterOptions : PluginOptions
{
    /// <summary>Also write the mask.</summary>
    [Description("Also write the per-pixel flags as <name>_mask.npy (uint32, CXI bits; non-zero = not measured).")]
    public bool IncludeMask { get; init; } = true;
}

/// <summary>Writes diffraction data as NumPy arrays: <c>&lt;name&gt;.npy</c> (float32 intensity, C order) and optionally <c>&lt;name&gt;_mask.npy</c> (uint32 flags). Written atomically.</summary>
[CxdiPlugin("cxdi.npy", "1.0.0", Description = "NumPy .npy intensity (and mask) for diffraction data")]
public sealed class NpyWriter : DataWriterBase<NpyWriterOptions>
{
    /// <inheritdoc />
    public override bool CanWrite(DataItem item) => item is DiffractionData;

    /// <inheritdoc />
    protected override IReadOnlyList<string> Write(DataItem item, string basePath, NpyWriterOptions options, StepContext context)
    {
        var data = item as DiffractionData ?? throw new ArgumentException($"cxdi.npy cannot write {item.GetType().Name}", nameof(item));
        var written = new List<string> { basePath + ".npy" };
        AtomicFile.Write(written[0], temp => WriteArray<float>(temp, data.Intensity, data.Shape, "<f4"));
        if (options.IncludeMask)
        {
            written.Add(basePath + "_mask.npy");
            AtomicFile.Write(written[1], temp => WriteArray<uint>(temp, data.Mask, data.Shape, "<u4"));
        }

        return written;
    }

    /// <summary>Writes a C-order .npy (format 1.0) of <paramref name="values"/> with <paramref name="shape"/>.</summary>
    public static void WriteArray<T>(string path, T[] values, Shape shape, string descr)
        where T : unmanaged
    {
        var dims = string.Join(", ", shape.Dimensions.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        var total = 10 + dict.Length + 1;
        var padded = (total + 63) / 64 * 64;
        var header = dict + new string(' ', padded - total) + "\n";
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)(header.Length & 0xff), (byte)(header.Length >> 8)]);
        stream.Write(Encoding.Latin1.GetBytes(header));
        stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }
}
