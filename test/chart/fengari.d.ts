// The few fengari (Lua VM in JS) entry points the Argo CD health check test uses; the package ships no types.
declare module 'fengari' {
  type LuaState = { readonly __luaState: unique symbol };
  const fengari: {
    to_luastring(s: string): Uint8Array;
    lua: {
      lua_tojsstring(L: LuaState, index: number): string | null;
      lua_gettop(L: LuaState): number;
    };
    lauxlib: {
      luaL_newstate(): LuaState;
      luaL_dostring(L: LuaState, code: Uint8Array): number;
    };
    lualib: { luaL_openlibs(L: LuaState): void };
  };
  export default fengari;
}
