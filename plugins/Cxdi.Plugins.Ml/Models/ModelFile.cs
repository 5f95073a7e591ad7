using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.IO;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Models;

/// <summary>
/// A trained model on disk: a zip holding <c>model.mlnet</c> (the ML.NET model, itself a zip) and <c>provenance.json</c>
/// (format version, model kind, feature contract, simulation parameters, seeds, ML.NET version, validation figures).
/// </summary>
internal sealed class ModelFile
{
    /// <summary>The zip format version this plugin writes and reads.</summary>
    public const int FormatVersion = 1;

    private const string ModelEntry = "model.mlnet";
    private const string ProvenanceEntry = "provenance.json";

    /// <summary>Wraps a trained transformer with its provenance.</summary>
    public ModelFile(string kind, ITransformer model, DataViewSchema inputSchema, Dictionary<string, object> provenance)
    {
        Kind = kind;
        Model = model;
        InputSchema = inputSchema;
        Provenance = provenance;
    }

    /// <summary>denoiser, inpaint or support.</summary>
    public string Kind { get; }

    /// <summary>The ML.NET model.</summary>
    public ITransformer Model { get; }

    /// <summary>Its input schema.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>Provenance keys and values (JSON-friendly).</summary>
    public Dictionary<string, object> Provenance { get; }

    /// <summary>The ML.NET version in use, e.g. 5.0.1.</summary>
    public static string MlNetVersion =>
        typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(MLContext).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Writes the model atomically to <paramref name="path"/>.</summary>
    public void Save(MLContext ml, string path)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            var provenance = new Dictionary<string, object>(Provenance, StringComparer.Ordinal)
            {
                ["format_version"] = FormatVersion,
                ["kind"] = Kind,
                ["mlnet_version"] = MlNetVersion,
            };
            using (var stream = zip.CreateEntry(ProvenanceEntry).Open())
            {
                JsonSerializer.Serialize(stream, provenance, new JsonSerializerOptions { WriteIndented = true });
            }

            using (var stream = zip.CreateEntry(ModelEntry).Open())
            {
                using var model = new MemoryStream();
                ml.Model.Save(Model, InputSchema, model);
                model.Position = 0;
                model.CopyTo(stream);
            }
        }

        AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }

    /// <summary>Reads a model of kind <paramref name="kind"/>; a missing, foreign or damaged file is one <see cref="InvalidInputException"/>.</summary>
    public static ModelFile Load(MLContext ml, string path, string kind)
    {
        if (!File.Exists(path))
        {
            throw new InvalidInputException(path, "model file not found", "train one with `cxdi train --kind " + kind + " --model FILE`, or leave the model option empty to train on the fly");
        }

        try
        {
            using var zip = ZipFile.OpenRead(path);
            var provenanceEntry = zip.GetEntry(ProvenanceEntry) ?? throw new InvalidDataException("no provenance.json entry: not a Cxdi ML model");
            var modelEntry = zip.GetEntry(ModelEntry) ?? throw new InvalidDataException("no model.mlnet entry: not a Cxdi ML model");
            Dictionary<string, object> provenance;
            using (var stream = provenanceEntry.Open())
            {
                using var document = JsonDocument.Parse(stream);
                provenance = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => ToValue(p.Value), StringComparer.Ordinal);
            }

            var found = provenance.TryGetValue("kind", out var k) ? k as string : null;
            if (found != kind)
            {
                throw new InvalidInputException(path, $"is a {found ?? "unknown"} model, not a {kind} model", $"train one with `cxdi train --kind {kind}`");
            }

            if (provenance.TryGetValue("format_version", out var v) && v is double version && (int)version != FormatVersion)
            {
                throw new InvalidInputException(path, $"model format version {version} is not supported (this plugin reads version {FormatVersion})", "retrain the model with this version");
            }

            using var model = new MemoryStream();
            using (var stream = modelEntry.Open())
            {
                stream.CopyTo(model);
            }

            model.Position = 0;
            var transformer = ml.Model.Load(model, out var schema);
            return new ModelFile(kind, transformer, schema, provenance);
        }
        catch (CxdiException)
        {
            throw;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or JsonException or FormatException or InvalidOperationException or ArgumentException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new InvalidInputException(path, "not a readable Cxdi ML model: " + FirstLine(e.Message), "train one with `cxdi train --kind " + kind + " --model FILE`", e);
        }
    }

    private static string FirstLine(string text)
    {
        var cut = text.IndexOfAny(['\r', '\n']);
        return cut < 0 ? text : text[..cut];
    }

    private static object ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString() ?? "",
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToList(),
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => ToValue(p.Value), StringComparer.Ordinal),
        _ => "",
    };
}
