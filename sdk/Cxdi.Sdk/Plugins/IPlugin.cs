namespace Cxdi.Sdk.Plugins;

/// <summary>What every plugin role has in common: the options record its <c>with:</c> block binds to.</summary>
public interface IPlugin
{
    /// <summary>A type deriving from <see cref="PluginOptions"/> with a public parameterless constructor.</summary>
    Type OptionsType { get; }
}

/// <summary>The role of a plugin, derived from the interface it implements.</summary>
public enum PluginRole
{
    /// <summary><see cref="Roles.IDataReader"/>.</summary>
    Reader,

    /// <summary><see cref="Roles.IDataWriter"/>.</summary>
    Writer,

    /// <summary><see cref="Roles.IPreprocessor"/>.</summary>
    Preprocessor,

    /// <summary><see cref="Roles.ISupportFinder"/>.</summary>
    SupportFinder,

    /// <summary><see cref="Roles.IPhaser"/>.</summary>
    Phaser,

    /// <summary><see cref="Roles.IDenoiser"/>.</summary>
    Denoiser,

    /// <summary><see cref="Roles.IAnalysis"/>.</summary>
    Analysis,

    /// <summary><see cref="Roles.ICliTool"/>.</summary>
    CliTool,

    /// <summary><see cref="Compute.IComputeBackendProvider"/>.</summary>
    Backend,
}
