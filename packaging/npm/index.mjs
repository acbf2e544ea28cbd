// The ES module entry: the same API as index.cjs.
import authmock from "./index.cjs";

export const { start, binaryPath, Control, AuthmockError } = authmock;
export default authmock;
