using System.Globalization;
using Cxdi.Plugins.Formats.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Readers;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Formats.Edf;

/// <summary>
/// Reads EDF (ESRF Data Format) images: float, double and (un)signed 8–64-bit integers in either byte order; a file
/// with several images (or <c>Dim_3</c>) becomes a 3D stack. Header keys of the first image go to the metadata as
/// <c>edf.&lt;key&gt;</c>; <c>PSize_1/2</c>, <c>SampleDistance</c>, <c>WaveLength</c>, <c>Center_1/2</c> fill the geometry.
/// </summary>
[CxdiPlugin("esrf.edf", "1.0.0", Description = "ESRF Data Format (.edf) images and multi-image stacks")]
public sealed class EdfReader : ArrayReaderBase<EdfOptions>
{
    /// <inheritdoc />
    protected override IReadOnlyList<IArraySource> MaskSources => BuiltInReaders.ArraySources;

    /// <inheritdoc />
    protected override string MaskFormats => BuiltInReaders.MaskFormats;

    /// <inheritdoc />
    public override bool CanRead(string path, ReadOnlySpan<byte> head) => EdfFile.LooksLikeEdf(head);

    /// <inheritdoc />
    protected override ArrayHeader ReadHeader(DataPath source, EdfOptions options)
    {
        var blocks = Blocks(source);
        var first = blocks[0];
        long frames = 0;
        foreach (var b in blocks)
        {
            if (b.Dims[1] != first.Dims[1] || b.Dims[2] != first.Dims[2] || b.Type != first.Type)
            {
                throw new InvalidInputException(source.File, $"image {b.Index + 1} is {b.Dims[2]}x{b.Dims[1]} {ElementTypes.Name(b.Type)} but image 1 is {first.Dims[2]}x{first.Dims[1]} {ElementTypes.Name(first.Type)}", "a multi-image EDF file must hold images of one size and type");
            }

            frames += b.Dims[0];
        }

        long[] dims = frames == 1 ? [first.Dims[1], first.Dims[2]] : [frames, first.Dims[1], first.Dims[2]];
        ReaderErrors.CheckDeclaredSize(source.File, dims, ElementTypes.SizeOf(first.Type), available: null);
        return new ArrayHeader(dims, first.Type);
    }

    /// <inheritdoc />
    protected override ArrayData ReadArray(DataPath source, EdfOptions options, ArrayHeader header, FrameRange? frames, CancellationToken cancellation)
    {
        var blocks = Blocks(source);
        var first = blocks[0];
        var size = ElementTypes.SizeOf(first.Type);
        var frameBytes = first.Dims[1] * first.Dims[2] * size;
        var range = frames ?? new FrameRange(0, 1);
        var bytes = new byte[range.Count * frameBytes];
        using (var handle = File.OpenHandle(source.File))
        {
            long frame = 0;
            foreach (var block in blocks)
            {
                for (var local = 0L; local < block.Dims[0]; local++, frame++)
                {
                    if (frame < range.First || frame >= range.First + range.Count)
                    {
                        continue;
                    }

                    cancellation.ThrowIfCancellationRequested();
                    var target = bytes.AsSpan((int)((frame - range.First) * frameBytes), (int)frameBytes);
                    var at = block.DataOffset + (local * frameBytes);
                    var read = 0;
                    while (read < target.Length)
                    {
                        var n = RandomAccess.Read(handle, target[read..], at + read);
                        if (n == 0)
                        {
                            throw new InvalidInputException(source.File, $"image {block.Index + 1} ends early at offset {at + read}", "the file is truncated");
                        }

                        read += n;
                    }

                    if (block.BigEndian)
                    {
                        ArrayData.SwapInPlace(target, block.Type);
                    }
                }
            }
        }

        long[] dims = frames is null ? [first.Dims[1], first.Dims[2]] : [range.Count, first.Dims[1], first.Dims[2]];
        var array = new ArrayData(dims, first.Type, bytes);
        foreach (var (key, value) in first.Keys)
        {
            array.Metadata["edf." + key] = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) ? number : value;
        }

        array.Metadata["edf.image_count"] = blocks.Count;
        array.Geometry = new Geometry
        {
            PixelSizeX = Positive(first.Get("PSize_1")),
            PixelSizeY = Positive(first.Get("PSize_2")),
            DetectorDistance = Positive(first.Get("SampleDistance")),
            Wavelength = Positive(first.Get("WaveLength")),
            BeamCenterX = ParseDouble(first.Get("Center_1")),
            BeamCenterY = ParseDouble(first.Get("Center_2")),
        };
        return array;
    }

    private static IReadOnlyList<EdfBlock> Blocks(DataPath source)
    {
        if (source.Inner is not null)
        {
            throw new InvalidInputException(source.ToString(), "an EDF file has no inner paths", $"use {source.File} without ':{source.Inner}'");
        }

        return EdfFile.Scan(source.File);
    }

    private static double? Positive(string? text) => ParseDouble(text) is > 0 and var v ? v : null;
}
