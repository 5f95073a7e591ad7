using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Plugins.Imaging.Tests;

public sealed class PluginLoadingTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("cxdi-png-load-");

    public void Dispose() => _dir.Delete(recursive: true);

    [Fact]
    public void Plugin_LoadedFromItsOwnFolderInItsOwnContext_DrawsWithItsNativeLibrary()
    {
        // the plugin's build output, as the host deploys it: find it from this test's output path (…/bin/<Configuration>/net10.0/)
        var testBin = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = testBin.Parent!.Name;
        var root = testBin;
        while (root is not null && !Directory.Exists(Path.Combine(root.FullName, "plugins", "Cxdi.Plugins.Imaging")))
        {
            root = root.Parent;
        }

        Assert.NotNull(root);
        var dll = Directory.GetFiles(Path.Combine(root.FullName, "plugins", "Cxdi.Plugins.Imaging", "bin", configuration), "Cxdi.Plugins.Imaging.dll", SearchOption.AllDirectories)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .First();
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(dll)!, "libSkiaSharp.so")) || !OperatingSystem.IsLinux(), "libSkiaSharp.so is not beside the plugin");

        using var loader = PluginLoader.CreateFromAssemblyFile(dll, isUnloadable: true, sharedTypes: [typeof(ICxdiPluginModule), typeof(IServiceCollection)]);
        var module = loader.LoadDefaultAssembly().GetTypes().Single(t => typeof(ICxdiPluginModule).IsAssignableFrom(t));
        var services = new ServiceCollection();
        ((ICxdiPluginModule)Activator.CreateInstance(module)!).Configure(services);
        using var provider = services.BuildServiceProvider();
        var registration = Assert.Single(provider.GetServices<PluginRegistration>());
        Assert.NotEqual(typeof(PngWriter), registration.ImplementationType);
        var writer = (IDataWriter)provider.GetRequiredService(registration.ImplementationType);

        var (obj, support) = Synthetic.Disc(32, 8, 12, 14);
        var set = new ReconstructionSet { Shape = Shape.Of(32, 32), Average = obj, AverageSupport = support };
        var options = (PluginOptions)Activator.CreateInstance(writer.OptionsType)!;
        var files = writer.Write(set, Path.Combine(_dir.FullName, "r"), options, StepContext.None);
        Assert.Equal(3, files.Count);
        using var png = new Png(files[0]);
        Assert.Equal(900, png.Width);
    }
}
