// Types for omggif (pure-JS GIF codec, no bundled types): only the reader parts the GIF decoder uses.
declare module 'omggif' {
  export interface GifFrameInfo {
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
    readonly data_offset: number;
    readonly data_length: number;
    readonly palette_offset: number | null;
    readonly transparent_index: number | null;
  }
  export class GifReader {
    constructor(buf: Uint8Array);
    readonly width: number;
    readonly height: number;
    numFrames(): number;
    frameInfo(frame: number): GifFrameInfo;
    decodeAndBlitFrameRGBA(frame: number, pixels: Uint8Array): void;
  }
}
