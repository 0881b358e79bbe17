import { ShopConfig } from '../../config/schema.ts';
import { rawShop } from './cita.ts';

/** [category es, category en, name es, name en] of a shop with 14 services and long, alike names. */
export const SERVICES = [
  ['Cortes', 'Haircuts', 'Servicio de peluquería para caballero', "Men's hairdressing service"],
  ['Cortes', 'Haircuts', 'Servicio de peluquería para caballero con lavado', "Men's hairdressing service with wash"],
  ['Cortes', 'Haircuts', 'Servicio de peluquería infantil', "Children's hairdressing service"],
  ['Cortes', 'Haircuts', 'Servicio de peluquería con degradado a navaja', 'Hairdressing service with razor fade'],
  ['Cortes', 'Haircuts', 'Servicio de peluquería y peinado para eventos', 'Hairdressing and styling for events'],
  ['Barba', 'Beard', 'Arreglo de barba con toalla caliente', 'Beard trim with a hot towel'],
  ['Barba', 'Beard', 'Arreglo de barba y perfilado de bigote', 'Beard trim and moustache shaping'],
  ['Barba', 'Beard', 'Afeitado clásico a navaja', 'Classic straight razor shave'],
  ['Color', 'Colour', 'Coloración completa del cabello', 'Full hair colouring'],
  ['Color', 'Colour', 'Coloración de la barba', 'Beard colouring'],
  ['Color', 'Colour', 'Mechas y reflejos', 'Highlights and lowlights'],
  ['Tratamientos', 'Treatments', 'Tratamiento capilar hidratante', 'Moisturising hair treatment'],
  ['Tratamientos', 'Treatments', 'Tratamiento anticaída con masaje', 'Anti hair loss treatment with massage'],
  ['Tratamientos', 'Treatments', 'Lavado y peinado', 'Wash and style'],
] as const;

export function shopWith14Services({ categories = true } = {}) {
  return ShopConfig.parse({
    ...rawShop(),
    services: SERVICES.map(([categoryEs, categoryEn, es, en], i) => ({
      id: `servicio-${i + 1}`,
      name: { es, en },
      description: { es: `Descripción del servicio ${i + 1}`, en: `Description of service ${i + 1}` },
      durationMinutes: 30,
      price: 10 + i,
      ...(categories ? { category: { es: categoryEs, en: categoryEn } } : {}),
    })),
  });
}
