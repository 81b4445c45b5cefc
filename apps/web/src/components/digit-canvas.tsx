"use client";

import { useEffect, useRef } from "react";

/** One 28 × 28 MNIST digit (base64 of 784 grey bytes) drawn on a canvas, labelled for screen readers. */
export function DigitCanvas({ pixels, label }: { pixels: string; label: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const context = canvas.current?.getContext("2d");
    if (!context) return;
    const bytes = Uint8Array.from(atob(pixels), (c) => c.charCodeAt(0));
    const image = context.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      // Dark ink on a light page, like the rest of the app.
      const v = 255 - (bytes[i] ?? 0);
      image.data.set([v, v, v, 255], i * 4);
    }
    context.putImageData(image, 0, 0);
  }, [pixels]);
  return <canvas ref={canvas} width={28} height={28} className="digit" role="img" aria-label={`Handwritten digit labelled ${label}`} />;
}
