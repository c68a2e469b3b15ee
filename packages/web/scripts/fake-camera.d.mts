// Types of fake-camera.mjs.
export declare const LFW_DIR: string;
export declare const CAMERA: { width: number; height: number; fps: number; frames: number };
export declare const CAMERA_SCENE: {
  enrolled: { name: string; shown: string; enrolFrom: string[] };
  stranger: { name: string; shown: string };
  tile: number;
  at: Array<{ x: number; y: number }>;
};
export declare function writeFakeCamera(): Promise<string>;
