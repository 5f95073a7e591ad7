using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.IO;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;

namespace Cxdi.Plugins.Imaging;

/// <summary>
/// Writes PNG pictures of a reconstruction set (amplitude, phase, support, measured diffraction, metric curves, PRTF) or of
/// diffraction data (log-scale intensity with the mask, ground truth), as <c>&lt;base&gt;_&lt;picture&gt;.png</c>, each atomically.
/// 3D arrays are shown as their xy, xz and yz central slices side by side.
/// </summary>
[CxdiPlugin("cxdi.png", "1.0.0", Description = "PNG pictures for people: amplitude, phase, support, log-scale diffraction with mask, LLK curves, PRTF")]
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

        var written = new List<string>();
        foreach (var (picture, render) in pictures)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var path = $"{basePath}_{picture.ToString().ToLowerInvariant()}.png";
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
}
