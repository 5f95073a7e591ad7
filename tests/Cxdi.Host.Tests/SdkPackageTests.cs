using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;

namespace Cxdi.Host.Tests;

/// <summary>The Cxdi.Sdk package and the <c>dotnet new cxdi-plugin</c> template, used outside the repository as a third party would.</summary>
[Collection(OutsideRepositoryCollection.Name)]
public sealed class SdkPackageTests(OutsideRepository outside)
{
    [DotnetFact]
    public void Pack_Sdk_HoldsTheAssemblyItsDocsAndOnlyAbstractionsDependencies()
    {
        var package = Path.Combine(outside.Packages, $"Cxdi.Sdk.{Versions.Sdk}.nupkg");
        Assert.True(File.Exists(package), $"{package} not found among {string.Join(", ", Directory.GetFiles(outside.Packages).Select(Path.GetFileName))}");
        using var zip = ZipFile.OpenRead(package);
        var entries = zip.Entries.Select(e => e.FullName).ToArray();
        Assert.Contains("lib/net10.0/Cxdi.Sdk.dll", entries);
        Assert.Contains("lib/net10.0/Cxdi.Sdk.xml", entries);
        Assert.Contains("README.md", entries);

        using var nuspecStream = zip.GetEntry("Cxdi.Sdk.nuspec")!.Open();
        var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
        Assert.Equal("Cxdi.Sdk", Field("id"));
        Assert.Equal(Versions.Sdk, Field("version"));
        Assert.False(string.IsNullOrWhiteSpace(Field("description")));
        Assert.False(string.IsNullOrWhiteSpace(Field("authors")));
        Assert.False(string.IsNullOrWhiteSpace(Field("license")));
        Assert.Equal("README.md", Field("readme"));
        Assert.Null(Field("repository"));
        var dependencies = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToArray();
        Assert.NotEmpty(dependencies);
        Assert.All(dependencies, id => Assert.Matches(@"^Microsoft\.Extensions\.[A-Za-z.]+\.Abstractions$", id));
    }

    [DotnetFact]
    public void Pack_Templates_AreATemplatePackage()
    {
        var package = Directory.GetFiles(outside.Packages, "Cxdi.Templates.*.nupkg").Single();
        using var zip = ZipFile.OpenRead(package);
        Assert.Contains("content/cxdi-plugin/.template.config/template.json", zip.Entries.Select(e => e.FullName));
        Assert.DoesNotContain(zip.Entries, e => e.FullName.StartsWith("lib/", StringComparison.Ordinal));
    }

    [DotnetFact]
    public async Task NewCxdiPlugin_BuiltOutsideTheRepository_LoadsAndRunsInAWorkflow()
    {
        var folder = outside.BuildFromTemplate("cxdi-plugin", "Org.Cxdi.Thing");
        var files = Directory.GetFiles(folder).Select(Path.GetFileName).ToArray();
        Assert.Contains("Org.Cxdi.Thing.dll", files);
        Assert.DoesNotContain(files, f => f!.StartsWith("Cxdi.Sdk", StringComparison.Ordinal)); // the host shares its own copy

        using var temp = new TempDir();
        var r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "plugins", "--json", "--plugins", folder);
        Assert.True(r.ExitCode == 0, r.Error);
        var plugin = JsonDocument.Parse(r.Out).RootElement.EnumerateArray().Single();
        Assert.Equal("org.cxdi.thing.scale", plugin.GetProperty("id").GetString());
        Assert.Equal(["factor", "offset"], plugin.GetProperty("options").EnumerateArray().Select(o => o.GetProperty("key").GetString()));

        // 4 × 4 pixels of 0…15 photons; pixel 5 is masked by the reader (negative) and must stay unknown.
        float Value(int i) => i == 5 ? -1 : i;
        temp.File("counts.raw", Harness.Raw(4, 4, Value));
        temp.File("scale.yaml", """
            schema: 1
            name: scale
            input: { path: counts.raw }
            steps:
              - use: org.cxdi.thing.scale
                with: { factor: 2, offset: 3 }
            output:
              writers: [test.json]
            """);
        r = await Harness.RunRaw(temp.Path, null, CancellationToken.None, "--plugins", folder, "--plugins", Harness.TestPlugins, "run", "scale.yaml");
        Assert.True(r.ExitCode == 0, r.Error);
        var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.Path, "out", "scale", "result.json"))).RootElement;
        var expected = Enumerable.Range(0, 16).Where(i => i != 5).Sum(i => Math.Max(0, (i - 3) * 2.0));
        Assert.Equal(expected, result.GetProperty("sum").GetDouble(), 3);
    }
}
