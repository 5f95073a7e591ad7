namespace Cxdi.Host.Cli;

/// <summary>What the command line reads from its surroundings, injectable so tests run in-process without process-global state.</summary>
/// <param name="BuiltInPluginDirectory">The <c>plugins/</c> folder beside the executable, or null to load no built-in plugins.</param>
/// <param name="CurrentDirectory">What relative command-line paths are resolved against.</param>
/// <param name="Variables">Environment variables (<c>CXDI_PLUGIN_PATH</c>, <c>CXDI_BACKEND</c>, and <c>PATH</c> where <c>cxdi submit</c> finds sbatch).</param>
public sealed record CliEnvironment(string? BuiltInPluginDirectory, string CurrentDirectory, IReadOnlyDictionary<string, string> Variables)
{
    /// <summary>Environment variable with extra plugin directories, separated by <see cref="Path.PathSeparator"/>.</summary>
    public const string PluginPathVariable = "CXDI_PLUGIN_PATH";

    /// <summary>Environment variable naming the compute backend.</summary>
    public const string BackendVariable = "CXDI_BACKEND";

    /// <summary>The real process environment: plugins beside the executable, the current directory, the environment variables.</summary>
    public static CliEnvironment FromProcess()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { PluginPathVariable, BackendVariable, "PATH" })
        {
            if (Environment.GetEnvironmentVariable(name) is { } value)
            {
                variables[name] = value;
            }
        }

        return new CliEnvironment(Path.Combine(AppContext.BaseDirectory, "plugins"), Environment.CurrentDirectory, variables);
    }

    /// <summary>An environment variable, or null.</summary>
    public string? Variable(string name) => Variables.TryGetValue(name, out var v) && v.Length > 0 ? v : null;
}
