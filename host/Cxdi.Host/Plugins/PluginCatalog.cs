using System.Reflection;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Phasing;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cxdi.Host.Plugins;

/// <summary>Where plugins are looked for.</summary>
/// <param name="Path">A directory.</param>
/// <param name="GivenByUser">False for the built-in <c>plugins/</c> folder (its sub-folders are plugin folders, a missing folder is fine); true for <c>--plugins</c> and <c>CXDI_PLUGIN_PATH</c> (the directory must exist and hold at least one plugin, and may itself be a plugin folder).</param>
/// <param name="WarnOnly">
/// True for <c>CXDI_PLUGIN_PATH</c> entries: a folder that cannot be used is recorded in <see cref="PluginCatalog.Failures"/>
/// (and warned about) instead of failing the load, so that it does not block runs that do not need it. The built-in
/// folder is always treated so; <c>--plugins DIR</c> (false) stays strict.
/// </param>
public sealed record PluginSource(string Path, bool GivenByUser, bool WarnOnly = false)
{
    /// <summary>True when a failure in this source is a warning rather than an error.</summary>
    public bool Lenient => WarnOnly || !GivenByUser;
}

/// <summary>A plugin folder (or plugin directory) that could not be loaded, and why.</summary>
/// <param name="Folder">The folder.</param>
/// <param name="Reason">The load error, one line.</param>
public sealed record PluginLoadFailure(string Folder, string Reason);

/// <summary>
/// The plugins found in plugin folders, one <see cref="PluginLoader"/> (load context) and one service provider per folder,
/// keyed by their dotted ids. Only the SDK and the Microsoft.Extensions abstractions are shared with the host.
/// </summary>
public sealed class PluginCatalog : IDisposable
{
    private static readonly Type[] SharedTypes =
    [
        typeof(ICxdiPluginModule),
        typeof(IServiceCollection),
        typeof(ILogger),
        typeof(NullLogger),
    ];

    private readonly List<PluginLoader> _loaders = [];
    private readonly List<ServiceProvider> _providers = [];
    private readonly Dictionary<string, List<PluginDescriptor>> _byId = new(StringComparer.Ordinal);
    private readonly List<PluginDescriptor> _ordered = [];
    private readonly HashSet<string> _loadedFiles = new(StringComparer.Ordinal);

    private PluginCatalog()
    {
    }

    private readonly List<OperatorRegistration> _operators = [];
    private OperatorRegistry? _operatorRegistry;

    /// <summary>The phasing operators every loaded plugin registered (built-in ones included).</summary>
    public OperatorRegistry Operators => _operatorRegistry ??= new OperatorRegistry(_operators);

    /// <summary>What option validation may consult: the loaded phasing operators.</summary>
    public OptionsContext OptionsContext => new() { Operators = Operators };

    private readonly List<PluginLoadFailure> _failures = [];
    private readonly List<string> _warnings = [];

    /// <summary>Folders of lenient sources (built-in, <c>CXDI_PLUGIN_PATH</c>) that failed to load; their plugins are missing.</summary>
    public IReadOnlyList<PluginLoadFailure> Failures => _failures;

    /// <summary>One line per problem that did not stop the load: a failed lenient folder, a file that is no assembly beside a plugin.</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>
    /// For messages about an id that is not loaded: "" when every folder loaded, else <c>; plugin folder X failed to load (reason), it may provide it</c>
    /// (which ids a broken folder holds cannot be known).
    /// </summary>
    public string FailureNote => _failures.Count == 0
        ? ""
        : "; " + string.Join("; ", _failures.Select(f => $"plugin folder {f.Folder} failed to load ({f.Reason}), and may provide it"));

    /// <summary>Every loaded plugin, in load order.</summary>
    public IReadOnlyList<PluginDescriptor> Plugins => _ordered;

    /// <summary>Major version of the SDK this host was built with; plugins must match it.</summary>
    public static int HostSdkMajor => typeof(ICxdiPluginModule).Assembly.GetName().Version!.Major;

    /// <summary>
    /// Loads every plugin folder under <paramref name="sources"/>; throws <see cref="PluginLoadException"/> on the first unusable
    /// folder of a strict source, and records those of lenient sources (<see cref="PluginSource.Lenient"/>) in <see cref="Failures"/>.
    /// </summary>
    public static PluginCatalog Load(IEnumerable<PluginSource> sources, ILoggerFactory loggerFactory)
    {
        var catalog = new PluginCatalog();
        try
        {
            foreach (var source in sources)
            {
                catalog.LoadSource(source, loggerFactory);
            }

            return catalog;
        }
        catch
        {
            catalog.Dispose();
            throw;
        }
    }

    /// <summary>The plugin with this id, or null; when a format's reader and writer share an id, the first loaded.</summary>
    public PluginDescriptor? Find(string id) => _byId.GetValueOrDefault(id)?[0];

    /// <summary>The plugin with this id and role, or null.</summary>
    public PluginDescriptor? Find(string id, PluginRole role) => _byId.GetValueOrDefault(id)?.FirstOrDefault(p => p.Role == role);

    /// <summary>Every plugin with this id (one per role).</summary>
    public IReadOnlyList<PluginDescriptor> FindAll(string id) => _byId.GetValueOrDefault(id) ?? [];

    /// <summary>Plugins of one role.</summary>
    public IEnumerable<PluginDescriptor> OfRole(PluginRole role) => _ordered.Where(p => p.Role == role);

    /// <summary>A new instance of plugin <paramref name="descriptor"/> from its folder's service provider.</summary>
    public static IPlugin Create(PluginDescriptor descriptor)
    {
        try
        {
            return (IPlugin)descriptor.Services.GetRequiredService(descriptor.ImplementationType);
        }
        catch (Exception e) when (e is not CxdiException)
        {
            throw new PluginFaultException(descriptor.Id, $"cannot be created: {e.Message}", e);
        }
    }

    /// <summary>The role of a plugin type, from the role interface it implements; null when it implements none.</summary>
    public static PluginRole? RoleOf(Type type)
    {
        (Type Interface, PluginRole Role)[] roles =
        [
            (typeof(IDataReader), PluginRole.Reader),
            (typeof(IDataWriter), PluginRole.Writer),
            (typeof(IPreprocessor), PluginRole.Preprocessor),
            (typeof(ISupportFinder), PluginRole.SupportFinder),
            (typeof(IPhaser), PluginRole.Phaser),
            (typeof(IDenoiser), PluginRole.Denoiser),
            (typeof(IAnalysis), PluginRole.Analysis),
            (typeof(ICliTool), PluginRole.CliTool),
            (typeof(IComputeBackendProvider), PluginRole.Backend),
        ];
        foreach (var (iface, role) in roles)
        {
            if (iface.IsAssignableFrom(type))
            {
                return role;
            }
        }

        return null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        _providers.Clear();
        foreach (var loader in _loaders)
        {
            loader.Dispose();
        }

        _loaders.Clear();
    }

    private void LoadSource(PluginSource source, ILoggerFactory loggerFactory)
    {
        var root = Path.GetFullPath(source.Path);
        try
        {
            if (!Directory.Exists(root))
            {
                if (source.GivenByUser)
                {
                    throw new PluginLoadException(
                        File.Exists(root) ? $"plugin path {root} is a file, not a directory" : $"plugin directory {root} does not exist",
                        "give a plugin folder (holding <Name>.dll) or a directory of plugin folders");
                }

                return;
            }

            var found = 0;
            var failures = _failures.Count;
            if (source.GivenByUser)
            {
                found += Guarded(source, root, () => LoadFolder(root, loggerFactory));
            }

            if (found == 0)
            {
                foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
                {
                    found += Guarded(source, folder, () => LoadFolder(folder, loggerFactory));
                }
            }

            if (found == 0 && source.GivenByUser && _failures.Count == failures)
            {
                throw new PluginLoadException($"no plugin found in {root}", "a plugin folder holds an assembly with a class implementing ICxdiPluginModule (build it with 'dotnet build -o DIR')");
            }
        }
        catch (PluginLoadException e) when (source.Lenient)
        {
            Fail(root, e);
        }
    }

    /// <summary>Loads one folder; for a lenient source a failure is recorded and what the folder registered is taken back.</summary>
    private int Guarded(PluginSource source, string folder, Func<int> load)
    {
        var plugins = _ordered.Count;
        var operators = _operators.Count;
        try
        {
            return load();
        }
        catch (PluginLoadException e) when (source.Lenient)
        {
            foreach (var descriptor in _ordered.Skip(plugins))
            {
                _byId[descriptor.Id].Remove(descriptor);
                if (_byId[descriptor.Id].Count == 0)
                {
                    _byId.Remove(descriptor.Id);
                }
            }

            _ordered.RemoveRange(plugins, _ordered.Count - plugins);
            _operators.RemoveRange(operators, _operators.Count - operators);
            _operatorRegistry = null;
            Fail(folder, e);
            return 0;
        }
    }

    private void Fail(string folder, CxdiException e)
    {
        _failures.Add(new PluginLoadFailure(folder, e.OneLine));
        _warnings.Add($"plugin folder {folder} failed to load, its plugins are not available: {e.OneLine}");
    }

    private int LoadFolder(string folder, ILoggerFactory loggerFactory)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*.dll").Order(StringComparer.Ordinal))
        {
            if (PluginAssemblyInspector.NotAnImage(file) is { } why)
            {
                _warnings.Add($"plugin folder {folder}: {Path.GetFileName(file)} is not an assembly or native library ({why}); ignored");
            }
        }

        var named = Path.Combine(folder, Path.GetFileName(folder) + ".dll");
        var candidates = File.Exists(named) && PluginAssemblyInspector.IsPluginModuleAssembly(named, out _)
            ? [named]
            : Directory.EnumerateFiles(folder, "*.dll").Order(StringComparer.Ordinal)
                .Where(f => PluginAssemblyInspector.IsPluginModuleAssembly(f, out _)).ToList();
        var loaded = 0;
        foreach (var file in candidates)
        {
            if (_loadedFiles.Add(file))
            {
                LoadAssembly(folder, file, loggerFactory);
            }

            loaded++;
        }

        return loaded;
    }

    private void LoadAssembly(string folder, string file, ILoggerFactory loggerFactory)
    {
        PluginAssemblyInspector.IsPluginModuleAssembly(file, out var sdkVersion);
        var hostSdk = typeof(ICxdiPluginModule).Assembly;
        if (sdkVersion is null || sdkVersion.Major != HostSdkMajor)
        {
            throw new PluginLoadException(
                $"plugin {file} was built against Cxdi.Sdk {sdkVersion} but this host uses Cxdi.Sdk {hostSdk.GetName().Version} ({hostSdk.Location})",
                $"rebuild the plugin against Cxdi.Sdk {HostSdkMajor}.x");
        }

        Assembly assembly;
        Type[] types;
        PluginLoader loader;
        try
        {
            loader = PluginLoader.CreateFromAssemblyFile(file, SharedTypes, config => config.PreferSharedTypes = true);
            _loaders.Add(loader);
            assembly = loader.LoadDefaultAssembly();
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            var first = e.LoaderExceptions.FirstOrDefault(x => x is not null)?.Message ?? e.Message;
            throw new PluginLoadException($"plugin folder {folder} failed to load {Path.GetFileName(file)}: {OneLine(first)}", "rebuild the plugin with 'dotnet build -o' so its dependencies sit beside it", e);
        }
        catch (Exception e) when (e is not CxdiException)
        {
            throw new PluginLoadException($"plugin folder {folder} failed to load {Path.GetFileName(file)}: {OneLine(e.Message)}", "rebuild the plugin with 'dotnet build -o' so its dependencies sit beside it", e);
        }

        var modules = types.Where(t => t is { IsClass: true, IsAbstract: false } && typeof(ICxdiPluginModule).IsAssignableFrom(t)).ToList();
        if (modules.Count == 0)
        {
            throw new PluginLoadException($"plugin {file} defines no usable ICxdiPluginModule (its copy of Cxdi.Sdk.dll may shadow the host's)", "reference Cxdi.Sdk with Private=false and ExcludeAssets=runtime");
        }

        foreach (var moduleType in modules)
        {
            var services = new ServiceCollection();
            services.AddSingleton(loggerFactory);
            services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
            try
            {
                var module = (ICxdiPluginModule)Activator.CreateInstance(moduleType)!;
                module.Configure(services);
            }
            catch (Exception e)
            {
                var inner = e is TargetInvocationException { InnerException: { } ie } ? ie : e;
                throw new PluginLoadException($"plugin {file}: {moduleType.Name}.Configure failed: {inner.Message}", null, inner);
            }

            var registrations = services.Where(d => d.ServiceType == typeof(PluginRegistration) && d.ImplementationInstance is PluginRegistration)
                .Select(d => (PluginRegistration)d.ImplementationInstance!).ToList();
            AddOperators(file, OperatorRegistry.FromServices(services).ToList());
            var provider = services.BuildServiceProvider();
            _providers.Add(provider);
            foreach (var registration in registrations)
            {
                Register(folder, file, registration, provider);
            }
        }
    }

    private void AddOperators(string file, List<OperatorRegistration> operators)
    {
        try
        {
            _ = new OperatorRegistry(_operators.Concat(operators));
        }
        catch (ArgumentException e)
        {
            throw new PluginLoadException($"plugin {file}: {e.Message}", "remove one of the two plugin folders or rename one operator", e);
        }

        _operators.AddRange(operators);
        _operatorRegistry = null;
    }

    private void Register(string folder, string file, PluginRegistration registration, IServiceProvider provider)
    {
        var type = registration.ImplementationType;
        var attribute = registration.Attribute
            ?? throw new PluginLoadException($"plugin {file}: {type.FullName} is registered but has no [CxdiPlugin(id, version)] attribute");
        var role = RoleOf(type)
            ?? throw new PluginLoadException($"plugin {file}: {attribute.Id} ({type.FullName}) implements no role interface (IDataReader, IPreprocessor, IPhaser…)");
        // One id per role: a format's reader and writer may share an id (numpy.npy), two readers may not.
        if (_byId.TryGetValue(attribute.Id, out var sameId) && sameId.FirstOrDefault(p => p.Role == role) is { } existing)
        {
            throw new PluginLoadException(
                existing.AssemblyFile == file
                    ? $"plugin id '{attribute.Id}' is claimed twice as a {existing.RoleName} in {file} ({existing.ImplementationType.FullName} and {type.FullName})"
                    : $"plugin id '{attribute.Id}' is claimed by both {existing.AssemblyFile} and {file}",
                "remove one of the two plugin folders or change one id");
        }

        Type optionsType;
        try
        {
            var instance = (IPlugin)provider.GetRequiredService(type);
            optionsType = instance.OptionsType;
        }
        catch (Exception e) when (e is not CxdiException)
        {
            var inner = e is TargetInvocationException { InnerException: { } ie } ? ie : e;
            throw new PluginLoadException($"plugin {file}: {attribute.Id} cannot be created: {OneLine(inner.Message)}", null, inner);
        }

        if (!typeof(PluginOptions).IsAssignableFrom(optionsType) || optionsType.IsAbstract || optionsType.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new PluginLoadException($"plugin {file}: {attribute.Id} declares options type {optionsType.FullName}, which is not a PluginOptions record with a parameterless constructor");
        }

        var descriptor = new PluginDescriptor(attribute.Id, attribute.Version, role, optionsType, attribute.Description, folder, file, type, provider);
        if (sameId is null)
        {
            _byId.Add(attribute.Id, sameId = []);
        }

        sameId.Add(descriptor);
        _ordered.Add(descriptor);
    }

    /// <summary>A runtime message on one line (the dependency resolver's messages span several).</summary>
    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
