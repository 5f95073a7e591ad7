using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.IO;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Imaging;

/// <summary>
/// Writes PNG pictures of a reconstruction set (amplitude, phase, support, measured diffraction, metric curves, PRTF, the
/// per-pixel amplitude and phase uncertainty of the kept runs, the FSC curves) or of
/// diffraction data (log-scale intensity with the mask, ground truth), as <c>&lt;base&gt;_&lt;picture&gt;.png</c>, each atomically.
/// 3D arrays are shown as their xy, xz and yz central slices side by side.
/// <para>
/// Orientation, the same in every picture (detector and object space, 2D and each 3D slice): array row 0 is at the top
/// and column 0 at the left, so the vertical axis (y, or z in the xz and yz slices) points <em>down</em> and its ticks
/// grow downwards — matplotlib's <c>imshow</c> default (<c>origin='upper'</c>) and PyNX's pictures of a detector frame.
/// silx's image view puts row 0 at the bottom by default (y up): there the same array appears flipped top to bottom.
/// Nothing is flipped on reading or writing: what a reader returns as row r is row r of the picture.
/// </para>
/// </summary>
[CxdiPlugin("cxdi.png", "1.0.0", Description = "PNG pictures for people: amplitude, phase, support, log-scale diffraction with mask, LLK curves, PRTF, uncertainty maps, FSC")]
public sealed class PngWriter : DataWriterBase<PngWriterOptions>
{
    /// <inheritdoc />
    public override bool CanWrite(DataItem item) => item is ReconstructionSet or DiffractionData;

    /// <inheritdoc />
    protected override IReadOnlyList<string> Write(DataItem item, string basePath, PngWriterOptions options, StepContext context)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentException.ThrowIfNullOrWhiteSpace(basePath);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(context);
        var pictures = item switch
        {
            ReconstructionSet set => PictureBuilder.ForSet(set, options),
            DiffractionData data => PictureBuilder.ForData(data, options),
            _ => throw new ArgumentException($"cxdi.png cannot write a {item.GetType().Name}", nameof(item)),
        };

        var named = pictures.Select(p => (Name: FileName(p.Picture), p.Render));
        if (item is ReconstructionSet series && SeriesPictures.IsSeries(series))
        {
            // A time-resolved series: per-frame metrics and an animation instead of one metric curve per frame.
            named = named.Where(p => p.Name != "metrics").Concat(SeriesPictures.For(series, options));
        }

        var written = new List<string>();
        foreach (var (name, render) in named)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var path = $"{basePath}_{name}.png";
            var png = render();
            try
            {
                AtomicFile.WriteAllBytes(path, png);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidInputException(Path.GetFullPath(path), $"cannot write the picture: {e.Message}", "check that the output directory exists, is writable and has free space");
            }

            written.Add(path);
        }

        return written;
    }

    /// <summary>The file-name part of a picture: its name in snake_case, as workflows spell it (<c>amplitude_uncertainty</c>).</summary>
    internal static string FileName(Picture picture) =>
        string.Concat(picture.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
