using System.ComponentModel;
using Cxdi.Plugins.Preprocessing.Common;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Preprocessing.Masks;

/// <summary>Options of <see cref="DetectorGapMaskStep"/>.</summary>
public sealed record DetectorGapMaskOptions : PluginOptions
{
    /// <summary>Detector model.</summary>
    [Description("Detector model: maxipix-2x2 (516×516), maxipix-5x1 (1296×256), eiger-1m (1030×1065), eiger-4m (2070×2167), eiger-9m (3110×3269), eiger-16m (4150×4371).")]
    public string Detector { get; init; } = "maxipix-2x2";

    /// <summary>Detector column of the data's first column.</summary>
    [Description("Detector column of the data's column 0, when the data are a region of interest of the full detector (default 0: the data are the full detector).")]
    [Unit("px")]
    public int OriginX { get; init; }

    /// <summary>Detector row of the data's first row.</summary>
    [Description("Detector row of the data's row 0, when the data are a region of interest of the full detector.")]
    [Unit("px")]
    public int OriginY { get; init; }

    /// <summary>Also flag the enlarged pixels at chip borders.</summary>
    [Description("Also flag the image pixels made from the double-size pixels at the chip borders inside an Eiger module (4 image pixels per border, whose counts the firmware splits). Off by default: they are measured, only coarser.")]
    public bool ChipBorders { get; init; }

    /// <inheritdoc />
    public override IEnumerable<OptionProblem> Validate()
    {
        if (DetectorLayout.Find(Detector) is null)
        {
            yield return new OptionProblem(nameof(Detector), $"unknown detector '{Detector}'; known: {string.Join(", ", DetectorLayout.Known)}");
        }
    }
}

/// <summary>The module and chip layout of a pixel detector, in image pixels.</summary>
/// <param name="Name">Model name.</param>
/// <param name="Width">Image width (columns).</param>
/// <param name="Height">Image height (rows).</param>
/// <param name="GapColumns">Image columns with no sensor (between chips or modules).</param>
/// <param name="GapRows">Image rows with no sensor.</param>
/// <param name="BorderColumns">Image columns made from double-size chip-border pixels.</param>
/// <param name="BorderRows">Image rows made from double-size chip-border pixels.</param>
public sealed record DetectorLayout(string Name, int Width, int Height, int[] GapColumns, int[] GapRows, int[] BorderColumns, int[] BorderRows)
{
    /// <summary>Model names understood by <see cref="Find"/>.</summary>
    public static IReadOnlyList<string> Known { get; } = ["maxipix-2x2", "maxipix-5x1", "eiger-1m", "eiger-4m", "eiger-9m", "eiger-16m"];

    /// <summary>The layout of a named model (case-insensitive, '_' or '-'), or null.</summary>
    public static DetectorLayout? Find(string name)
    {
        var key = name.Trim().ToLowerInvariant().Replace('_', '-');
        return key switch
        {
            "maxipix-2x2" => Maxipix(2, 2),
            "maxipix-5x1" => Maxipix(5, 1),
            "eiger-1m" => Eiger(key, 1, 2),
            "eiger-4m" => Eiger(key, 2, 4),
            "eiger-9m" => Eiger(key, 3, 6),
            "eiger-16m" => Eiger(key, 4, 8),
            _ => null,
        };
    }

    /// <summary>Maxipix: 256×256 Medipix/Timepix chips of 55 µm pixels, read out with 4 image pixels between chips (516 = 2·256 + 4, 1296 = 5·256 + 4·4).</summary>
    private static DetectorLayout Maxipix(int chipsX, int chipsY)
    {
        const int chip = 256, gap = 4;
        return new DetectorLayout($"maxipix-{chipsX}x{chipsY}", (chipsX * chip) + ((chipsX - 1) * gap), (chipsY * chip) + ((chipsY - 1) * gap),
            Gaps(chipsX, chip, gap), Gaps(chipsY, chip, gap), [], []);
    }

    /// <summary>
    /// Eiger: modules of 1030×514 image pixels (2×4 chips of 256×256, 75 µm; the double-size pixels at each internal chip
    /// border are split into 2 image pixels each, 1030 = 4·256 + 3·2 and 514 = 2·256 + 2), modules separated by 10 empty
    /// columns and 37 empty rows.
    /// </summary>
    private static DetectorLayout Eiger(string name, int modulesX, int modulesY)
    {
        const int mw = 1030, mh = 514, gx = 10, gy = 37;
        var borderCols = new List<int>();
        var borderRows = new List<int>();
        for (var m = 0; m < modulesX; m++)
        {
            foreach (var c in (ReadOnlySpan<int>)[255, 513, 771])
            {
                borderCols.AddRange(Enumerable.Range((m * (mw + gx)) + c, 4));
            }
        }

        for (var m = 0; m < modulesY; m++)
        {
            borderRows.AddRange(Enumerable.Range((m * (mh + gy)) + 255, 4));
        }

        return new DetectorLayout(name, (modulesX * mw) + ((modulesX - 1) * gx), (modulesY * mh) + ((modulesY - 1) * gy),
            Gaps(modulesX, mw, gx), Gaps(modulesY, mh, gy), [.. borderCols], [.. borderRows]);
    }

    private static int[] Gaps(int units, int size, int gap)
    {
        var list = new List<int>();
        for (var u = 1; u < units; u++)
        {
            list.AddRange(Enumerable.Range((u * size) + ((u - 1) * gap), gap));
        }

        return [.. list];
    }
}

/// <summary>Flags the gaps between the chips or modules of a known detector model as <see cref="MaskFlags.Gap"/>.</summary>
[CxdiPlugin("cxdi.mask.gaps", "1.0.0", Description = "Flag the chip and module gaps of a Maxipix or Eiger detector.")]
public sealed class DetectorGapMaskStep : PreprocessorBase<DetectorGapMaskOptions>
{
    /// <inheritdoc />
    protected override DiffractionData Apply(DiffractionData input, DetectorGapMaskOptions options, StepContext context)
    {
        var layout = DetectorLayout.Find(options.Detector)!;
        var shape = input.Shape;
        if (options.OriginX < 0 || options.OriginY < 0 || options.OriginX + shape.Nx > layout.Width || options.OriginY + shape.Ny > layout.Height)
        {
            throw new WorkflowShapeException(
                $"cxdi.mask.gaps: frames of {shape.Ny}x{shape.Nx} at origin ({options.OriginX}, {options.OriginY}) do not fit a {layout.Name} ({layout.Height}x{layout.Width})",
                "check the detector option, or set origin_x/origin_y to where the region of interest starts on the detector");
        }

        var cols = new bool[shape.Nx];
        var rows = new bool[shape.Ny];
        Mark(cols, layout.GapColumns, options.OriginX);
        Mark(rows, layout.GapRows, options.OriginY);
        if (options.ChipBorders)
        {
            Mark(cols, layout.BorderColumns, options.OriginX);
            Mark(rows, layout.BorderRows, options.OriginY);
        }

        long perFrame = 0;
        var frame = shape.Ny * shape.Nx;
        for (var y = 0; y < shape.Ny; y++)
        {
            for (var x = 0; x < shape.Nx; x++)
            {
                if (!rows[y] && !cols[x])
                {
                    continue;
                }

                perFrame++;
                for (var z = 0; z < shape.Nz; z++)
                {
                    input.Mask[((long)z * frame) + (y * shape.Nx) + x] |= (uint)MaskFlags.Gap;
                }
            }
        }

        StepLog.Record(input, context, StepLog.IdOf(GetType()), $"flagged {perFrame} gap pixels per frame of a {layout.Name} ({cols.Count(c => c)} columns, {rows.Count(r => r)} rows)", new Dictionary<string, object>
        {
            ["detector"] = layout.Name,
            ["gap_pixels_per_frame"] = perFrame,
        });
        return input;
    }

    private static void Mark(bool[] lines, int[] detectorLines, int origin)
    {
        foreach (var d in detectorLines)
        {
            var i = d - origin;
            if (i >= 0 && i < lines.Length)
            {
                lines[i] = true;
            }
        }
    }
}
