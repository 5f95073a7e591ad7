global using Cxdi.Sdk.Roles;
